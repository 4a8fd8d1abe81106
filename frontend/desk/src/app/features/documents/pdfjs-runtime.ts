import type { DocumentInitParameters, PDFDocumentProxy, PDFWorker } from 'pdfjs-dist/types/src/display/api';

type Pdfjs = typeof import('pdfjs-dist');

let runtime: Promise<{ pdfjs: Pdfjs; worker: PDFWorker }> | null = null;
const documents = new Map<string, Promise<PDFDocumentProxy>>();

/**
 * Loads pdf.js and starts its worker (2 MB of script to parse: the bulk of a cold first page), once
 * per page load. Called when the room opens, so that the worker is ready when a document is clicked.
 */
export function warmPdfjs(): Promise<{ pdfjs: Pdfjs; worker: PDFWorker }> {
  runtime ??= (async () => {
    // The worker starts loading while the main library is fetched.
    const port = new Worker(new URL('./pdf.worker', import.meta.url), { type: 'module', name: 'pdfjs' });
    const pdfjs = await import('pdfjs-dist');
    const worker = new pdfjs.PDFWorker({ port: port as unknown as null });
    await worker.promise;
    return { pdfjs, worker };
  })();
  runtime.catch(() => (runtime = null));
  return runtime;
}

/** Opens (once) the PDF at this content URL. Scripts and actions of the PDF never run: no scripting, no eval. */
export function loadPdf(key: string, url: string): Promise<PDFDocumentProxy> {
  let doc = documents.get(key);
  if (!doc) {
    doc = warmPdfjs().then(({ pdfjs, worker }) => {
      const params: DocumentInitParameters & { isEvalSupported: boolean } = {
        url,
        worker,
        // pdf.js 6 no longer compiles font programs with eval; kept explicit in case an option returns.
        isEvalSupported: false,
        enableXfa: false,
        stopAtErrors: false,
      };
      return pdfjs.getDocument(params).promise;
    });
    documents.set(key, doc);
    doc.catch(() => documents.delete(key));
  }
  return doc;
}
