/** Nest token of the DocumentStorage in use (LocalDiskStorage now; an object store later). */
export const DOCUMENT_STORAGE = Symbol('DocumentStorage');
