//! The batch mutations inside one transaction: each item succeeds or fails on its own,
//! results come back in input order.

use rusqlite::{params, OptionalExtension, Transaction};

use super::errors::ApiError;
use super::store::{self, CLIENT_COLUMNS, PATIENT_COLUMNS};
use super::types::{
    Client, ClientBatchResult, ClientInput, ClientItemResult, ClientUpdate, Clinic,
    DeleteImportRunResult, ItemError, ItemStatus, Patient, PatientBatchResult, PatientClear,
    PatientInput, PatientItemResult, PatientUpdate,
};
use super::validate as v;

/// Why one item did not go through: its own fault, or a failure that stops the batch.
enum Fail {
    Item(ItemError),
    Fatal(ApiError),
}

impl From<ItemError> for Fail {
    fn from(e: ItemError) -> Self {
        Self::Item(e)
    }
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Self::Fatal(e.into())
    }
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Self::Fatal(e)
    }
}

/// What every item of one batch shares.
pub(crate) struct Batch<'t, 'c> {
    pub tx: &'t Transaction<'c>,
    pub clinic: &'t Clinic,
    pub run: &'t str,
    pub now: String,
}

/// The fields of a client that an import sets, as stored.
#[derive(Debug, Clone, PartialEq)]
struct ClientFields {
    external_id: Option<String>,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    phone_alt: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    active: bool,
}

impl ClientFields {
    fn from_input(c: &ClientInput) -> Result<Self, ItemError> {
        Ok(Self {
            external_id: v::external_id(c.external_id.as_deref())?,
            first_name: v::name_part("firstName", &c.first_name)?,
            last_name: v::name_part("lastName", &c.last_name)?,
            email: v::email(c.email.as_deref())?,
            phone: v::phone("phone", c.phone.as_deref())?,
            phone_alt: v::phone("phoneAlt", c.phone_alt.as_deref())?,
            address1: v::text("address1", c.address1.as_deref())?,
            address2: v::text("address2", c.address2.as_deref())?,
            city: v::text("city", c.city.as_deref())?,
            state: v::text("state", c.state.as_deref())?,
            postal_code: v::text("postalCode", c.postal_code.as_deref())?,
            country: v::country(c.country.as_deref())?,
            active: c.active.unwrap_or(true),
        })
    }

    fn from_client(c: &Client) -> Self {
        Self {
            external_id: c.external_id.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            phone_alt: c.phone_alt.clone(),
            address1: c.address1.clone(),
            address2: c.address2.clone(),
            city: c.city.clone(),
            state: c.state.clone(),
            postal_code: c.postal_code.clone(),
            country: c.country.clone(),
            active: c.active,
        }
    }

    /// Applies an update: a given field replaces the stored one (an empty text clears it).
    fn apply(&mut self, u: &ClientUpdate) -> Result<(), ItemError> {
        fn set<T>(slot: &mut T, value: Option<T>) {
            if let Some(value) = value {
                *slot = value;
            }
        }
        if let Some(e) = &u.external_id {
            self.external_id = v::external_id(Some(e))?;
        }
        set(
            &mut self.first_name,
            u.first_name
                .as_deref()
                .map(|n| v::name_part("firstName", n))
                .transpose()?,
        );
        set(
            &mut self.last_name,
            u.last_name
                .as_deref()
                .map(|n| v::name_part("lastName", n))
                .transpose()?,
        );
        if let Some(e) = &u.email {
            self.email = v::email(Some(e))?;
        }
        if let Some(p) = &u.phone {
            self.phone = v::phone("phone", Some(p))?;
        }
        if let Some(p) = &u.phone_alt {
            self.phone_alt = v::phone("phoneAlt", Some(p))?;
        }
        for (slot, value, field) in [
            (&mut self.address1, &u.address1, "address1"),
            (&mut self.address2, &u.address2, "address2"),
            (&mut self.city, &u.city, "city"),
            (&mut self.state, &u.state, "state"),
            (&mut self.postal_code, &u.postal_code, "postalCode"),
        ] {
            if let Some(value) = value {
                *slot = v::text(field, Some(value))?;
            }
        }
        if let Some(c) = &u.country {
            self.country = v::country(Some(c))?;
        }
        set(&mut self.active, u.active);
        Ok(())
    }

    /// Rules that involve more than one field or the clinic.
    fn check(&self, clinic: &Clinic) -> Result<(), ItemError> {
        if self.first_name.is_empty() && self.last_name.is_empty() {
            return Err(v::invalid(
                "lastName",
                "a client needs a first name or a last name; both are empty",
            ));
        }
        if clinic.requires_email && self.email.is_none() {
            return Err(v::invalid(
                "email",
                format!(
                    "clinic {} requires an e-mail address for every client",
                    clinic.name
                ),
            ));
        }
        Ok(())
    }
}

/// The fields of a patient that an import sets, as stored.
#[derive(Debug, Clone, PartialEq)]
struct PatientFields {
    external_id: Option<String>,
    name: String,
    species: String,
    breed: Option<String>,
    sex: Option<String>,
    neutered: Option<bool>,
    date_of_birth: Option<String>,
    weight_kg: Option<f64>,
    color: Option<String>,
    microchip: Option<String>,
    deceased: bool,
}

impl PatientFields {
    fn from_input(p: &PatientInput) -> Result<Self, ItemError> {
        Ok(Self {
            external_id: v::external_id(p.external_id.as_deref())?,
            name: pet_name(&p.name)?,
            species: v::species(&p.species)?,
            breed: v::text("breed", p.breed.as_deref())?,
            sex: v::sex(p.sex.as_deref())?,
            neutered: p.neutered,
            date_of_birth: v::date_of_birth(p.date_of_birth.as_deref())?,
            weight_kg: v::weight_kg(p.weight_kg)?,
            color: v::text("color", p.color.as_deref())?,
            microchip: v::microchip(p.microchip.as_deref())?,
            deceased: p.deceased.unwrap_or(false),
        })
    }

    fn from_patient(p: &Patient) -> Self {
        Self {
            external_id: p.external_id.clone(),
            name: p.name.clone(),
            species: p.species.clone(),
            breed: p.breed.clone(),
            sex: p.sex.clone(),
            neutered: p.neutered,
            date_of_birth: p.date_of_birth.clone(),
            weight_kg: p.weight_kg,
            color: p.color.clone(),
            microchip: p.microchip.clone(),
            deceased: p.deceased,
        }
    }

    /// Applies an update: a given field replaces the stored one (an empty text clears it).
    fn apply(&mut self, u: &PatientUpdate) -> Result<(), ItemError> {
        if let Some(e) = &u.external_id {
            self.external_id = v::external_id(Some(e))?;
        }
        if let Some(n) = &u.name {
            self.name = pet_name(n)?;
        }
        if let Some(s) = &u.species {
            self.species = v::species(s)?;
        }
        if let Some(b) = &u.breed {
            self.breed = v::text("breed", Some(b))?;
        }
        if let Some(s) = &u.sex {
            self.sex = v::sex(Some(s))?;
        }
        if u.neutered.is_some() {
            self.neutered = u.neutered;
        }
        if let Some(d) = &u.date_of_birth {
            self.date_of_birth = v::date_of_birth(Some(d))?;
        }
        if u.weight_kg.is_some() {
            self.weight_kg = v::weight_kg(u.weight_kg)?;
        }
        if let Some(c) = &u.color {
            self.color = v::text("color", Some(c))?;
        }
        if let Some(m) = &u.microchip {
            self.microchip = v::microchip(Some(m))?;
        }
        if let Some(d) = u.deceased {
            self.deceased = d;
        }
        for field in &u.clear {
            match field {
                PatientClear::Neutered if u.neutered.is_none() => self.neutered = None,
                PatientClear::WeightKg if u.weight_kg.is_none() => self.weight_kg = None,
                PatientClear::Neutered => return Err(both_set_and_cleared("neutered")),
                PatientClear::WeightKg => return Err(both_set_and_cleared("weightKg")),
            }
        }
        Ok(())
    }
}

fn both_set_and_cleared(field: &str) -> ItemError {
    v::invalid(
        field,
        "a field cannot be both given and cleared in one update",
    )
}

fn pet_name(name: &str) -> Result<String, ItemError> {
    v::text("name", Some(name))?.ok_or_else(|| v::invalid("name", "a patient needs a name"))
}

fn not_found(field: &str, what: &str, id: &str) -> ItemError {
    ItemError::new(
        "NOT_FOUND",
        Some(field),
        format!("there is no {what} with id {id:?}"),
    )
}

fn wrong_clinic(field: &str, what: &str, id: &str, clinic: &str) -> ItemError {
    ItemError::new(
        "WRONG_CLINIC",
        Some(field),
        format!("{what} {id} belongs to another clinic than {clinic}"),
    )
}

fn duplicate(what: &str, external_id: &str, existing: i64) -> ItemError {
    ItemError::new(
        "DUPLICATE_EXTERNAL_ID",
        Some("externalId"),
        format!("the clinic already has a {what} with externalId {external_id:?} (id {existing})"),
    )
}

impl Batch<'_, '_> {
    fn client(&self, id: i64) -> Result<Option<Client>, rusqlite::Error> {
        self.tx
            .prepare_cached(&format!(
                "SELECT {CLIENT_COLUMNS} FROM clients WHERE id = ?1"
            ))?
            .query_row([id], store::client_from_row)
            .optional()
    }

    fn patient(&self, id: i64) -> Result<Option<(String, Patient)>, rusqlite::Error> {
        self.tx
            .prepare_cached(&format!(
                "SELECT {PATIENT_COLUMNS}, clinic_id FROM patients WHERE id = ?1"
            ))?
            .query_row([id], |r| Ok((r.get(17)?, store::patient_from_row(r)?)))
            .optional()
    }

    /// The client of this clinic that the id names, or the item's error.
    fn own_client(&self, field: &str, id: &str) -> Result<Client, Fail> {
        let number: i64 = id
            .trim()
            .parse()
            .map_err(|_| not_found(field, "client", id))?;
        let client = self
            .client(number)?
            .ok_or_else(|| not_found(field, "client", id))?;
        if client.clinic_id.as_str() != self.clinic.id.as_str() {
            return Err(wrong_clinic(field, "client", id, &self.clinic.id).into());
        }
        Ok(client)
    }

    fn check_client_external(&self, external_id: Option<&str>, own_id: i64) -> Result<(), Fail> {
        let Some(external_id) = external_id else {
            return Ok(());
        };
        let existing: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT id FROM clients WHERE clinic_id = ?1 AND external_id = ?2 AND id != ?3",
            )?
            .query_row(params![self.clinic.id.as_str(), external_id, own_id], |r| {
                r.get(0)
            })
            .optional()?;
        match existing {
            Some(id) => Err(duplicate("client", external_id, id).into()),
            None => Ok(()),
        }
    }

    fn check_patient_external(&self, external_id: Option<&str>, own_id: i64) -> Result<(), Fail> {
        let Some(external_id) = external_id else {
            return Ok(());
        };
        let existing: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT id FROM patients WHERE clinic_id = ?1 AND external_id = ?2 AND id != ?3",
            )?
            .query_row(params![self.clinic.id.as_str(), external_id, own_id], |r| {
                r.get(0)
            })
            .optional()?;
        match existing {
            Some(id) => Err(duplicate("patient", external_id, id).into()),
            None => Ok(()),
        }
    }

    fn write_client(&self, id: Option<i64>, f: &ClientFields) -> Result<i64, rusqlite::Error> {
        match id {
            None => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO clients (clinic_id, external_id, first_name, last_name, email, phone, phone_alt,
                             address_line1, address_line2, city, state, postal_code, country, active,
                             created_by_import_run, import_run_id, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?16)",
                    )?
                    .execute(params![
                        self.clinic.id.as_str(), f.external_id, f.first_name, f.last_name, f.email, f.phone,
                        f.phone_alt, f.address1, f.address2, f.city, f.state, f.postal_code, f.country,
                        f.active, self.run, self.now
                    ])?;
                Ok(self.tx.last_insert_rowid())
            }
            Some(id) => {
                self.tx
                    .prepare_cached(
                        "UPDATE clients SET external_id = ?2, first_name = ?3, last_name = ?4, email = ?5, phone = ?6,
                             phone_alt = ?7, address_line1 = ?8, address_line2 = ?9, city = ?10, state = ?11,
                             postal_code = ?12, country = ?13, active = ?14, import_run_id = ?15, updated_at = ?16
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id, f.external_id, f.first_name, f.last_name, f.email, f.phone, f.phone_alt,
                        f.address1, f.address2, f.city, f.state, f.postal_code, f.country, f.active,
                        self.run, self.now
                    ])?;
                Ok(id)
            }
        }
    }

    fn write_patient(
        &self,
        id: Option<i64>,
        client_id: i64,
        f: &PatientFields,
    ) -> Result<i64, rusqlite::Error> {
        match id {
            None => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO patients (clinic_id, client_id, external_id, name, species, breed, sex, neutered,
                             date_of_birth, weight_kg, color, microchip, deceased,
                             created_by_import_run, import_run_id, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?15)",
                    )?
                    .execute(params![
                        self.clinic.id.as_str(), client_id, f.external_id, f.name, f.species, f.breed, f.sex,
                        f.neutered, f.date_of_birth, f.weight_kg, f.color, f.microchip, f.deceased,
                        self.run, self.now
                    ])?;
                Ok(self.tx.last_insert_rowid())
            }
            Some(id) => {
                self.tx
                    .prepare_cached(
                        "UPDATE patients SET external_id = ?2, name = ?3, species = ?4, breed = ?5, sex = ?6,
                             neutered = ?7, date_of_birth = ?8, weight_kg = ?9, color = ?10, microchip = ?11,
                             deceased = ?12, import_run_id = ?13, updated_at = ?14
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id, f.external_id, f.name, f.species, f.breed, f.sex, f.neutered,
                        f.date_of_birth, f.weight_kg, f.color, f.microchip, f.deceased, self.run, self.now
                    ])?;
                Ok(id)
            }
        }
    }

    fn create_client(&self, input: &ClientInput) -> Result<(ItemStatus, Client), Fail> {
        let fields = ClientFields::from_input(input)?;
        fields.check(self.clinic)?;
        self.check_client_external(fields.external_id.as_deref(), -1)?;
        let id = self.write_client(None, &fields)?;
        Ok((ItemStatus::Created, self.stored_client(id)?))
    }

    fn update_client(&self, update: &ClientUpdate) -> Result<(ItemStatus, Client), Fail> {
        let current = self.own_client("id", &update.id)?;
        let id: i64 = current.id.parse().unwrap_or_default();
        let before = ClientFields::from_client(&current);
        let mut after = before.clone();
        after.apply(update)?;
        if after == before {
            return Ok((ItemStatus::Unchanged, current));
        }
        after.check(self.clinic)?;
        self.check_client_external(after.external_id.as_deref(), id)?;
        self.write_client(Some(id), &after)?;
        Ok((ItemStatus::Updated, self.stored_client(id)?))
    }

    fn create_patient(&self, input: &PatientInput) -> Result<(ItemStatus, Patient), Fail> {
        let owner = self.own_client("clientId", &input.client_id)?;
        let fields = PatientFields::from_input(input)?;
        self.check_patient_external(fields.external_id.as_deref(), -1)?;
        let id = self.write_patient(None, owner.id.parse().unwrap_or_default(), &fields)?;
        Ok((ItemStatus::Created, self.stored_patient(id)?))
    }

    fn update_patient(&self, update: &PatientUpdate) -> Result<(ItemStatus, Patient), Fail> {
        let number: i64 = update
            .id
            .trim()
            .parse()
            .map_err(|_| not_found("id", "patient", &update.id))?;
        let (clinic_id, current) = self
            .patient(number)?
            .ok_or_else(|| not_found("id", "patient", &update.id))?;
        if clinic_id != self.clinic.id.as_str() {
            return Err(wrong_clinic("id", "patient", &update.id, &self.clinic.id).into());
        }
        let before = PatientFields::from_patient(&current);
        let mut after = before.clone();
        after.apply(update)?;
        if after == before {
            return Ok((ItemStatus::Unchanged, current));
        }
        self.check_patient_external(after.external_id.as_deref(), number)?;
        let client_id: i64 = current.client_id.parse().unwrap_or_default();
        self.write_patient(Some(number), client_id, &after)?;
        Ok((ItemStatus::Updated, self.stored_patient(number)?))
    }

    fn stored_client(&self, id: i64) -> Result<Client, Fail> {
        self.client(id)?.ok_or_else(|| {
            Fail::Fatal(ApiError::new(
                super::errors::ErrorCode::Internal,
                format!("client {id} vanished while it was written"),
            ))
        })
    }

    fn stored_patient(&self, id: i64) -> Result<Patient, Fail> {
        self.patient(id)?.map(|(_, p)| p).ok_or_else(|| {
            Fail::Fatal(ApiError::new(
                super::errors::ErrorCode::Internal,
                format!("patient {id} vanished while it was written"),
            ))
        })
    }

    fn clients<T>(
        &self,
        items: &[T],
        one: impl Fn(&Self, &T) -> Result<(ItemStatus, Client), Fail>,
    ) -> Result<ClientBatchResult, ApiError> {
        let mut results = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let index = i32::try_from(index).unwrap_or(i32::MAX);
            results.push(match one(self, item) {
                Ok((status, client)) => ClientItemResult {
                    index,
                    status,
                    client: Some(client),
                    error: None,
                },
                Err(Fail::Item(error)) => ClientItemResult {
                    index,
                    status: ItemStatus::Error,
                    client: None,
                    error: Some(error),
                },
                Err(Fail::Fatal(e)) => return Err(e),
            });
        }
        store::attach_patients(
            self.tx,
            results.iter_mut().filter_map(|r| r.client.as_mut()),
        )?;
        Ok(ClientBatchResult {
            items: results,
            replayed: false,
        })
    }

    fn patients<T>(
        &self,
        items: &[T],
        one: impl Fn(&Self, &T) -> Result<(ItemStatus, Patient), Fail>,
    ) -> Result<PatientBatchResult, ApiError> {
        let mut results = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let index = i32::try_from(index).unwrap_or(i32::MAX);
            results.push(match one(self, item) {
                Ok((status, patient)) => PatientItemResult {
                    index,
                    status,
                    patient: Some(patient),
                    error: None,
                },
                Err(Fail::Item(error)) => PatientItemResult {
                    index,
                    status: ItemStatus::Error,
                    patient: None,
                    error: Some(error),
                },
                Err(Fail::Fatal(e)) => return Err(e),
            });
        }
        Ok(PatientBatchResult {
            items: results,
            replayed: false,
        })
    }

    /// createClients.
    pub fn create_clients(&self, items: &[ClientInput]) -> Result<ClientBatchResult, ApiError> {
        self.clients(items, Self::create_client)
    }

    /// updateClients.
    pub fn update_clients(&self, items: &[ClientUpdate]) -> Result<ClientBatchResult, ApiError> {
        self.clients(items, Self::update_client)
    }

    /// createPatients.
    pub fn create_patients(&self, items: &[PatientInput]) -> Result<PatientBatchResult, ApiError> {
        self.patients(items, Self::create_patient)
    }

    /// updatePatients.
    pub fn update_patients(&self, items: &[PatientUpdate]) -> Result<PatientBatchResult, ApiError> {
        self.patients(items, Self::update_patient)
    }

    /// deleteImportRun: the run's patients first, then its clients that hold no other
    /// patients; a client that still holds patients someone else added is kept and counted.
    pub fn delete_import_run(&self) -> Result<DeleteImportRunResult, ApiError> {
        let clinic = self.clinic.id.as_str();
        let patients_deleted = self.tx.execute(
            "DELETE FROM patients WHERE clinic_id = ?1 AND created_by_import_run = ?2",
            params![clinic, self.run],
        )?;
        let clients_kept: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM clients c WHERE c.clinic_id = ?1 AND c.created_by_import_run = ?2
               AND EXISTS (SELECT 1 FROM patients p WHERE p.client_id = c.id)",
            params![clinic, self.run],
            |r| r.get(0),
        )?;
        let clients_deleted = self.tx.execute(
            "DELETE FROM clients WHERE clinic_id = ?1 AND created_by_import_run = ?2
               AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.client_id = clients.id)",
            params![clinic, self.run],
        )?;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(DeleteImportRunResult {
            clients_deleted: count(clients_deleted),
            patients_deleted: count(patients_deleted),
            clients_kept: i32::try_from(clients_kept).unwrap_or(i32::MAX),
            replayed: false,
        })
    }
}
