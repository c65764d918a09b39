/** Node colour by FtM schema (colour-blind-friendly, ≥3:1 against the white canvas). */
const SCHEMA_COLORS: Record<string, string> = {
  Person: "#1f6fb4",
  Company: "#c75000",
  Organization: "#c75000",
  LegalEntity: "#a0522d",
  PublicBody: "#8c564b",
  BankAccount: "#11845b",
  Payment: "#4d8b1f",
  Advertisement: "#7b52ae",
  Address: "#8a6d0b",
  Trip: "#c2247a",
  Vehicle: "#6b6b00",
  UserAccount: "#0f7f8f",
  Email: "#0f7f8f",
  Phone: "#9b2f2f",
  Call: "#9b2f2f",
  Message: "#5a5a9e",
  Document: "#5f6b76",
  Passport: "#4f4f4f",
  Identification: "#4f4f4f",
  Employment: "#b5651d",
  Ownership: "#b5651d",
};

const EXTRA = ["#2f7e9e", "#9e2f6e", "#6e7e1f", "#7e4f2f", "#3f5fae", "#ae3f3f", "#3f8e5e", "#8e5eae"];

export function schemaColor(schema: string): string {
  const known = SCHEMA_COLORS[schema];
  if (known) return known;
  let hash = 0;
  for (let i = 0; i < schema.length; i++) hash = (hash * 31 + schema.charCodeAt(i)) | 0;
  return EXTRA[Math.abs(hash) % EXTRA.length]!;
}

const EDGE_COLORS: Record<string, string> = {
  SharedIdentifier: "#d35400",
  InvestigatorLink: "#c0392b",
  Payment: "#5b9a32",
  Ownership: "#8e7cc3",
  Directorship: "#8e7cc3",
  Employment: "#c49a3a",
  Trip: "#d05a9a",
};

export function edgeColor(schema: string): string {
  return EDGE_COLORS[schema] ?? "#9aa3ad";
}

export const DIM_NODE = "#d5d9de";
export const DIM_EDGE = "#e7eaee";
export const PATH_COLOR = "#d0021b";
