// The pdf.js worker, bundled by the desk build as a module worker of its own (angular.json assets
// cannot reach node_modules outside the app's root). Loaded by pdfjs-runtime.ts when the room opens.
import 'pdfjs-dist/build/pdf.worker.min.mjs';
