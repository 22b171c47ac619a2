// Without this a console window opens next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc, tuned in `main` (see `ph_import_core::allocator`).
#[global_allocator]
static GLOBAL: ph_import_core::allocator::MiMalloc = ph_import_core::allocator::MiMalloc;

fn main() {
    ph_import_core::allocator::tune();
    ph_client_import_app::run()
}
