//! A client's identity in comparable form, worked out once per record.

use crate::canonical::ClientRecord;

use super::normalize;

/// The parts of a [`Fingerprint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Given name, first word, folded.
    First,
    /// Family name, folded, particles joined.
    Last,
    /// E-mail, compared as its mailbox.
    Email,
    /// Main phone, last nine digits.
    Phone,
    /// Second phone, last nine digits.
    PhoneAlt,
    /// House number of the street line.
    Number,
    /// Street name, street type written out.
    Street,
    /// Second address line, folded.
    Unit,
    /// City, folded.
    City,
    /// Postal code, letters and digits.
    Postal,
    /// State or province, folded.
    State,
}

/// How many parts a fingerprint has.
pub const PARTS: usize = 11;

/// A client's names, contacts and address in the form matching compares: one string with
/// the parts end to end, so a million clients cost a million allocations, not eleven.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    text: Box<str>,
    ends: Ends,
}

/// Where each part ends in a fingerprint's text.
pub type Ends = [u16; PARTS];

/// A fingerprint borrowed from wherever its text is kept (its own box, or the duplicate
/// finder's one buffer for a whole file): what comparing reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View<'a> {
    text: &'a str,
    ends: Ends,
}

/// The most text a fingerprint keeps: a part past it is cut (no name or address is this
/// long; a hostile cell must not make the ends overflow).
const MAX_TEXT: usize = u16::MAX as usize;

impl Fingerprint {
    /// The fingerprint of a canonical client.
    pub fn of(c: &ClientRecord) -> Fingerprint {
        let (number, street) = normalize::street(&c.address_line1);
        let parts: [String; PARTS] = [
            normalize::given_name(&c.first_name),
            normalize::name(&c.last_name),
            normalize::email(&c.email),
            normalize::phone(&c.phone),
            normalize::phone(&c.phone_alt),
            number,
            street,
            normalize::address_words(&c.address_line2),
            normalize::fold(&c.city),
            normalize::postal_code(&c.postal_code),
            normalize::fold(&c.state),
        ];
        let mut text = String::with_capacity(parts.iter().map(String::len).sum());
        let mut ends = [0u16; PARTS];
        for (i, p) in parts.iter().enumerate() {
            let room = MAX_TEXT - text.len();
            let mut cut = p.len().min(room);
            while !p.is_char_boundary(cut) {
                cut -= 1;
            }
            text.push_str(&p[..cut]);
            ends[i] = text.len() as u16;
        }
        Fingerprint {
            text: text.into_boxed_str(),
            ends,
        }
    }

    /// The fingerprint as a view.
    pub fn view(&self) -> View<'_> {
        View {
            text: &self.text,
            ends: self.ends,
        }
    }

    /// The whole text and where its parts end, to keep elsewhere ([`View::new`]).
    pub fn parts(&self) -> (&str, Ends) {
        (&self.text, self.ends)
    }

    /// One part; empty when the record does not have it.
    pub fn get(&self, part: Part) -> &str {
        self.view().get(part)
    }

    /// Whether the record has nothing to compare at all.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

impl<'a> View<'a> {
    /// A view of text and ends kept by [`Fingerprint::parts`].
    pub fn new(text: &'a str, ends: Ends) -> View<'a> {
        View { text, ends }
    }

    /// One part; empty when the record does not have it.
    pub fn get(&self, part: Part) -> &'a str {
        let i = part as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }

    /// The whole text.
    pub fn text(&self) -> &'a str {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_come_back_as_normalized() {
        let c = ClientRecord {
            first_name: "Mary Ann".into(),
            last_name: "O'Brien".into(),
            email: "M.OBrien@Gmail.com".into(),
            phone: "+12175550143".into(),
            address_line1: "12 Oak St".into(),
            address_line2: "Apt 4".into(),
            city: "Springfield".into(),
            state: "IL".into(),
            postal_code: "62704".into(),
            ..ClientRecord::default()
        };
        let f = Fingerprint::of(&c);
        assert_eq!(f.get(Part::First), "mary");
        assert_eq!(f.get(Part::Last), "obrien");
        assert_eq!(f.get(Part::Email), "mobrien@gmail.com");
        assert_eq!(f.get(Part::Phone), "175550143");
        assert_eq!(f.get(Part::PhoneAlt), "");
        assert_eq!(f.get(Part::Number), "12");
        assert_eq!(f.get(Part::Street), "oak street");
        assert_eq!(f.get(Part::Unit), "apartment 4");
        assert_eq!(f.get(Part::City), "springfield");
        assert_eq!(f.get(Part::Postal), "62704");
        assert_eq!(f.get(Part::State), "il");
        assert!(Fingerprint::of(&ClientRecord::default()).is_empty());
    }
}
