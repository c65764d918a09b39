/** Loaded by network.js when the user exports a PNG (dist/network-export.js). */
export { toBlob } from "@sigma/export-image";
