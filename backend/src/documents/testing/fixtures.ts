/** The test documents of the document specs: built in code by the shared @engage/doc-fixtures library. */
export * from '@engage/doc-fixtures';
