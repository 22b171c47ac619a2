// Writes a synthetic clinic export of N rows (one pet per row, owners repeated on two rows,
// about one row in twenty with a problem): the file the 1,000,000-row measurement opens.
// Usage: node tests/e2e/gen-big.mjs OUT.csv [ROWS]
import { createWriteStream } from "node:fs";

const out = process.argv[2];
const rows = Number(process.argv[3] ?? 1_000_000);
if (!out) {
  console.error("usage: node tests/e2e/gen-big.mjs OUT.csv [ROWS]");
  process.exit(2);
}
const FIRST = ["John", "Mary", "Pieter", "Ann", "José", "Linh", "Ravi", "Siobhán"];
const LAST = ["Smith", "McDonald", "van der Berg", "Nguyen", "García", "O'Brien", "Lee"];
const DOMAINS = ["gmail.com", "yahoo.com", "example.com", "outlook.com"];
const BAD_DOMAINS = ["gmial.com", "hotmail.con", "yahooo.com"];
const PLACES = [
  ["Springfield", "IL", "62704"],
  ["Boston", "MA", "02134"],
  ["San Francisco", "CA", "94102"],
  ["New York", "NY", "10001"],
];
const SPECIES = [["Dog", "Labrador Retriever"], ["Cat", "DSH"], ["Canine", "Beagle"], ["Feline", "Siamese"]];
const PETS = ["Rex", "Bella", "Max", "Luna", "Charlie", "Daisy", "Biscuit"];

const stream = createWriteStream(out);
const write = (s) => (stream.write(s) ? Promise.resolve() : new Promise((r) => stream.once("drain", r)));
await write("Client ID,First Name,Last Name,Email,Phone,Address,City,State,Zip,Pet ID,Pet Name,Species,Breed,Sex,Birth Date,Weight\n");
let chunk = "";
for (let i = 0; i < rows; i++) {
  const c = Math.floor(i / 2);
  const messy = i % 20 === 7;
  const first = FIRST[c % FIRST.length];
  const last = LAST[Math.floor(c / 3) % LAST.length];
  const [city, state, zip] = PLACES[c % PLACES.length];
  const domain = messy && i % 40 === 7 ? BAD_DOMAINS[c % BAD_DOMAINS.length] : DOMAINS[c % DOMAINS.length];
  const email = messy && i % 60 === 7 ? `${first}.${c}@` : `${first}.${c}@${domain}`.toLowerCase();
  const [species, breed] = messy && i % 80 === 7 ? ["Dragon", ""] : SPECIES[i % SPECIES.length];
  const dob = messy && i % 100 === 27 ? "02/30/2019" : `0${1 + (i % 9)}/1${i % 10}/20${10 + (i % 12)}`;
  const phone = `(217) 555-${String(1000 + (c % 9000)).padStart(4, "0")}`;
  const lastCell = last.includes(" ") || last.includes("'") ? `"${last}"` : last;
  chunk += `C${100000 + c},${first},${lastCell},${email},${phone},${c % 999} Elm St,${city},${state},${zip},P${i},${PETS[i % PETS.length]},${species},${breed},${i % 2 ? "MN" : "FS"},${dob},${(2 + (i % 40)).toFixed(1)} kg\n`;
  if (chunk.length > 1 << 16) {
    await write(chunk);
    chunk = "";
  }
}
await write(chunk);
stream.end();
await new Promise((r) => stream.on("finish", r));
console.log(`wrote ${rows} rows to ${out}`);
