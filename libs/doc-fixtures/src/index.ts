/**
 * Test documents built in code (no binary fixtures), shared by the backend's specs, the end-to-end
 * tests and the doc bench: PDFs (pdf-lib, incl. an AcroForm), image headers, video heads, office
 * packages, and the bad files every upload must refuse.
 */
export * from './pdf';
export * from './images';
export * from './video';
export * from './office';
export * from './refused';
