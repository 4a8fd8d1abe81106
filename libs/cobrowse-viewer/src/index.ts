export * from './cobrowse-viewer';
export * from './fit';
export * from './live-feed';
export * from './remote-input';
export { VIEWER_CSS, ensureViewerStyles } from './viewer-styles';
