// Without this a console window opens next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Conversion allocates many small strings on several threads: mimalloc keeps that fast.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    ph_client_import_app::run()
}
