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
        let mut text = String::with_capacity(96);
        let mut scratch = String::new();
        let mut cuts = [0usize; PARTS];
        normalize::given_name_into(&c.first_name, &mut text);
        cuts[0] = text.len();
        normalize::name_into(&c.last_name, &mut text, &mut scratch);
        cuts[1] = text.len();
        normalize::email_into(&c.email, &mut text);
        cuts[2] = text.len();
        normalize::phone_into(&c.phone, &mut text);
        cuts[3] = text.len();
        normalize::phone_into(&c.phone_alt, &mut text);
        cuts[4] = text.len();
        cuts[5] = normalize::street_into(&c.address_line1, &mut text, &mut scratch);
        cuts[6] = text.len();
        normalize::address_words_into(&c.address_line2, &mut text, &mut scratch);
        cuts[7] = text.len();
        normalize::fold_into(&c.city, &mut text);
        cuts[8] = text.len();
        normalize::postal_code_into(&c.postal_code, &mut text);
        cuts[9] = text.len();
        normalize::fold_into(&c.state, &mut text);
        cuts[10] = text.len();
        if text.len() > MAX_TEXT {
            return Self::cut(&text, &cuts);
        }
        let mut ends = [0u16; PARTS];
        for (end, cut) in ends.iter_mut().zip(cuts) {
            *end = cut as u16;
        }
        Fingerprint {
            text: text.into_boxed_str(),
            ends,
        }
    }

    /// A fingerprint whose parts, ending at `cuts` in `text`, are too long in all: each part
    /// keeps what still fits.
    fn cut(text: &str, cuts: &[usize; PARTS]) -> Fingerprint {
        let mut kept = String::with_capacity(MAX_TEXT);
        let mut ends = [0u16; PARTS];
        let mut start = 0;
        for (i, &end) in cuts.iter().enumerate() {
            let part = text.get(start..end).unwrap_or_default();
            start = end;
            let room = MAX_TEXT - kept.len();
            let mut take = part.len().min(room);
            while !part.is_char_boundary(take) {
                take -= 1;
            }
            kept.push_str(&part[..take]);
            ends[i] = kept.len() as u16;
        }
        Fingerprint {
            text: kept.into_boxed_str(),
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

    /// The parts one by one, as the normalizers give them.
    fn parts_of(c: &ClientRecord) -> Vec<String> {
        let (number, street) = normalize::street(&c.address_line1);
        vec![
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
        ]
    }

    const ALL: [Part; PARTS] = [
        Part::First,
        Part::Last,
        Part::Email,
        Part::Phone,
        Part::PhoneAlt,
        Part::Number,
        Part::Street,
        Part::Unit,
        Part::City,
        Part::Postal,
        Part::State,
    ];

    proptest::proptest! {
        #[test]
        fn every_part_is_its_normalizer(
            cells in proptest::collection::vec("[ A-Za-z0-9.@+#ÿé-]{0,24}", 10),
        ) {
            let c = ClientRecord {
                first_name: cells[0].clone(),
                last_name: cells[1].clone(),
                email: cells[2].clone(),
                phone: cells[3].clone(),
                phone_alt: cells[4].clone(),
                address_line1: cells[5].clone(),
                address_line2: cells[6].clone(),
                city: cells[7].clone(),
                postal_code: cells[8].clone(),
                state: cells[9].clone(),
                ..ClientRecord::default()
            };
            let f = Fingerprint::of(&c);
            let got: Vec<String> = ALL.iter().map(|&p| f.get(p).to_owned()).collect();
            proptest::prop_assert_eq!(got, parts_of(&c));
        }
    }

    #[test]
    fn a_hostile_cell_is_cut_not_overflowed() {
        let c = ClientRecord {
            first_name: "Ann".into(),
            city: "x".repeat(70_000),
            postal_code: "62704".into(),
            ..ClientRecord::default()
        };
        let f = Fingerprint::of(&c);
        assert_eq!(f.get(Part::First), "ann");
        assert_eq!(f.get(Part::City).len(), MAX_TEXT - 3);
        assert_eq!(f.get(Part::Postal), "");
    }
}
