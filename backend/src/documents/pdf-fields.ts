import type { FieldValue, FormFieldView, NormRect } from '@engage/protocol';
import { PDFCheckBox, PDFDocument, PDFDropdown, PDFOptionList, PDFRadioGroup, PDFSignature, PDFTextField, type PDFField, type PDFPage, type PDFRef } from 'pdf-lib';

/**
 * A form field as found in the PDF: the geometry and kind of the FormFieldView clients get (policy
 * and live values are kept apart, in doc_field_state).
 */
export interface FieldDefinition extends Pick<FormFieldView, 'name' | 'type' | 'page' | 'rect' | 'options' | 'multiline' | 'multiSelect'> {
  /** The PDF's own Required flag (Ff bit 2). */
  required: boolean;
  /** The value the PDF carries, or null. */
  initial: FieldValue | null;
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));

/** A PDF rectangle (bottom-left origin, points) → normalized to the page, top-left origin. */
export function normalizeRect(page: PDFPage, r: { x: number; y: number; width: number; height: number }): NormRect {
  const box = page.getMediaBox();
  const x = clamp((r.x - box.x) / box.width);
  const y = clamp(1 - (r.y - box.y + r.height) / box.height);
  return { x, y, w: clamp(r.width / box.width), h: clamp(r.height / box.height) };
}

/** Reads the AcroForm fields: names, types, widget rectangles, options, flags (never runs scripts). */
export async function readFields(bytes: Uint8Array): Promise<FieldDefinition[]> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false });
  const pages = doc.getPages();
  const pageIndex = new Map(pages.map((p, i) => [p.ref.toString(), i]));
  const pageOf = (widgetRef: PDFRef | undefined, parentRef: PDFRef | undefined): number => {
    if (parentRef && pageIndex.has(parentRef.toString())) return pageIndex.get(parentRef.toString())!;
    if (widgetRef) {
      const p = doc.findPageForAnnotationRef(widgetRef);
      if (p) return pageIndex.get(p.ref.toString()) ?? 0;
    }
    return 0;
  };
  const out: FieldDefinition[] = [];
  for (const field of doc.getForm().getFields()) {
    const widgets = field.acroField.getWidgets();
    const placed = widgets.map((w) => {
      const idx = pageOf(doc.context.getObjectRef(w.dict), w.P());
      return { idx, rect: normalizeRect(pages[idx], w.getRectangle()), on: w.getOnValue()?.decodeText() ?? null };
    });
    const first = placed[0] ?? { idx: 0, rect: { x: 0, y: 0, w: 0, h: 0 }, on: null };
    const base = { name: field.getName(), page: first.idx + 1, rect: first.rect, multiline: false, multiSelect: false, required: field.isRequired() };
    const def = describe(field, placed);
    if (def) out.push({ ...base, ...def });
  }
  return out;
}

function describe(field: PDFField, placed: Array<{ idx: number; rect: NormRect; on: string | null }>): Pick<FieldDefinition, 'type' | 'options' | 'initial'> & Partial<FieldDefinition> | null {
  if (field instanceof PDFTextField) {
    const text = field.getText();
    return { type: 'text', options: [], multiline: field.isMultiline(), initial: text ? text : null };
  }
  if (field instanceof PDFCheckBox) return { type: 'checkbox', options: [], initial: field.isChecked() };
  if (field instanceof PDFRadioGroup) {
    const values = field.getOptions();
    // With /Opt the widgets' on-states are indexes; the options are the names pdf-lib selects by.
    const options = placed.map((p, i) => ({ value: values.length === placed.length ? values[i] : (p.on ?? values[i] ?? String(i)), page: p.idx + 1, rect: p.rect }));
    return { type: 'radio', options, initial: field.getSelected() ?? null };
  }
  if (field instanceof PDFDropdown) {
    const selected = field.getSelected();
    return { type: 'choice', options: field.getOptions().map((value) => ({ value })), multiSelect: field.isMultiselect(), initial: selected.length ? (field.isMultiselect() ? selected : selected[0]) : null };
  }
  if (field instanceof PDFOptionList) {
    const selected = field.getSelected();
    return { type: 'choice', options: field.getOptions().map((value) => ({ value })), multiSelect: field.isMultiselect(), initial: selected.length ? (field.isMultiselect() ? selected : selected[0]) : null };
  }
  if (field instanceof PDFSignature) return { type: 'signature', options: [], initial: null };
  return null;
}

/** Whether a value fits a field of this definition (type and options). */
export function valueFits(def: FieldDefinition, value: FieldValue): string | null {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' ? null : 'A text field takes text.';
    case 'checkbox':
      return typeof value === 'boolean' ? null : 'A check box is true or false.';
    case 'radio':
      return typeof value === 'string' && (value === '' || def.options.some((o) => o.value === value)) ? null : `Choose one of: ${def.options.map((o) => o.value).join(', ')}.`;
    case 'choice': {
      const allowed = new Set(def.options.map((o) => o.value));
      if (def.multiSelect) return Array.isArray(value) && value.every((v) => allowed.has(v)) ? null : `Choose among: ${[...allowed].join(', ')}.`;
      return typeof value === 'string' && (value === '' || allowed.has(value)) ? null : `Choose one of: ${[...allowed].join(', ')}.`;
    }
    case 'signature':
      return 'A signature field is filled by signing (doc/sign).';
  }
}

/** Whether a field holds something (empty text, unchecked box, no choice = empty). */
export function isFilled(value: FieldValue | null): boolean {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.length > 0;
  return value.trim().length > 0;
}
