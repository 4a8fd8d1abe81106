export * from './cobrowse-viewer';
export * from './fit';
export * from './live-feed';
export * from './missing-images';
export * from './remote-input';
export { VIEWER_CSS, ensureViewerStyles } from './viewer-styles';
