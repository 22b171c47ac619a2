//! Stable IDs for files that have none.
//!
//! A client without an ID in the source still needs one: pets link to it, and a second
//! run over the same (or a corrected) file must produce the same ID so nothing is
//! imported twice. The ID is a hash of the fields that identify a person, normalized so
//! that cosmetic differences (case, spaces, punctuation, phone formatting) do not change it.
//! The hash is 64-bit FNV-1a, fixed here rather than `std`'s hasher, whose output may
//! change between Rust releases.

/// Prefix of every derived ID, so nobody mistakes one for the clinic's own.
pub const DERIVED_ID_PREFIX: &str = "auto-";

/// Derives a client ID from last name, first name and the first present of e-mail, phone
/// digits (last 10) and postal code. `None` when there is nothing to identify the person.
pub fn derive_client_id(
    last_name: &str,
    first_name: &str,
    email: &str,
    phone: &str,
    postal_code: &str,
) -> Option<String> {
    let last = letters_and_digits(last_name);
    let first = letters_and_digits(first_name);
    let contact = if !email.trim().is_empty() {
        format!("e:{}", email.trim().to_lowercase())
    } else if phone.chars().any(|c| c.is_ascii_digit()) {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let tail = digits.len().saturating_sub(10);
        format!("p:{}", &digits[tail..])
    } else if !postal_code.trim().is_empty() {
        format!("z:{}", letters_and_digits(postal_code))
    } else {
        String::new()
    };
    if last.is_empty() && first.is_empty() && contact.is_empty() {
        return None;
    }
    Some(format!(
        "{DERIVED_ID_PREFIX}{:016x}",
        fnv1a(&format!("c1|{last}|{first}|{contact}"))
    ))
}

/// Derives a patient ID from its owner's ID, its name and its species.
pub fn derive_patient_id(client_id: &str, name: &str, species: &str) -> Option<String> {
    let name = letters_and_digits(name);
    if name.is_empty() || client_id.is_empty() {
        return None;
    }
    Some(format!(
        "{DERIVED_ID_PREFIX}{:016x}",
        fnv1a(&format!("p1|{client_id}|{name}|{species}"))
    ))
}

fn letters_and_digits(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn fnv1a(s: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in s.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosmetic_differences_do_not_change_the_id() {
        let a = derive_client_id("O'Brien", "Mary", "", "(217) 555-0143", "");
        let b = derive_client_id("OBRIEN ", "mary", "", "+1 217 555 0143", "62704");
        assert_eq!(a, b);
        assert!(a
            .as_deref()
            .is_some_and(|id| id.starts_with("auto-") && id.len() == 21));
    }

    #[test]
    fn different_people_differ_and_nothing_gives_none() {
        assert_ne!(
            derive_client_id("Smith", "John", "j@x.com", "", ""),
            derive_client_id("Smith", "John", "j2@x.com", "", "")
        );
        assert_eq!(derive_client_id("", " ", "", "", ""), None);
    }

    #[test]
    fn the_hash_is_pinned() {
        // A change here breaks re-runs of every clinic's earlier import: never change it.
        assert_eq!(
            derive_client_id("Smith", "John", "John@Example.com", "", "").as_deref(),
            Some("auto-a7c23c42da412d16")
        );
    }
}
