import { DOC_API, DOC_FILE_NAME_HEADER, type DocumentView } from '@engage/protocol';

/** A refused upload, as the server words it (code + sentence). */
export class DocUploadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Uploads one file to the engagement's room with XHR (fetch has no upload progress), reporting
 * 0..1 as the bytes leave. Resolves with the server's DocumentView, rejects with DocUploadError.
 */
export function uploadDocument(engagementId: string, token: string, file: File, onProgress: (fraction: number) => void): { done: Promise<DocumentView>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<DocumentView>((resolve, reject) => {
    xhr.open('POST', DOC_API.documents(engagementId));
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader(DOC_FILE_NAME_HEADER, encodeURIComponent(file.name));
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { document?: DocumentView; code?: string; message?: string } | null;
      if (xhr.status >= 200 && xhr.status < 300 && body?.document) return resolve(body.document);
      if (body && typeof body.code === 'string' && typeof body.message === 'string') return reject(new DocUploadError(body.code, body.message));
      reject(new DocUploadError(xhr.status === 413 ? 'payload_too_large' : 'upload_failed', xhr.status === 413 ? 'The file is larger than the server accepts.' : `The upload failed (${xhr.status}).`));
    };
    xhr.onerror = () => reject(new DocUploadError('offline', 'Cannot reach the server. Check your connection and try again.'));
    xhr.onabort = () => reject(new DocUploadError('aborted', 'The upload was cancelled.'));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
