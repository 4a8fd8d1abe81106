export * from './cobrowse-viewer';
export * from './fit';
export * from './live-feed';
export { VIEWER_CSS, ensureViewerStyles } from './viewer-styles';
