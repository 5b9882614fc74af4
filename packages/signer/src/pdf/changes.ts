import {
  type PDF,
  PdfArray,
  PdfBool,
  PdfDict,
  PdfName,
  PdfNumber,
  type PdfObject,
  PdfRef,
  PdfStream,
  PdfString,
} from '@libpdf/core';
import type { DocumentChange } from '@signet/protocol';

// Beyond this many objects the comparison stops and calls the rest a change: bounded work per document.
const MAX_OBJECTS = 200_000;

/**
 * Every change between the revision a signature covers (`signed`, null when that revision cannot
 * be read on its own) and the whole document (`current`). Objects are compared by value, object by
 * object; changed objects are judged by what they are: the catalog may gain a DSS and its form new
 * fields, a page may gain annotations, and what is added there must be a signature or
 * document-timestamp field. Anything else (page contents, resources, fonts, metadata, removed
 * objects) is a change PAdES does not allow.
 */
export function changesAfterRevision(signed: PDF | null, current: PDF): DocumentChange[] {
  if (!signed) return [{ allowed: false, description: 'the signed revision cannot be read on its own' }];
  const before = new Revision(signed);
  const after = new Revision(current);
  const changes: DocumentChange[] = [];
  const add = (allowed: boolean, description: string) => changes.push({ allowed, description });

  if (before.trailerRef('Root')?.toString() !== after.trailerRef('Root')?.toString()) {
    add(false, 'the document catalog was replaced');
    return changes;
  }
  const roles = before.roles();
  const size = Math.max(before.size(), after.size());
  if (size > MAX_OBJECTS) {
    add(false, `the document has more than ${MAX_OBJECTS} objects; later changes were not compared`);
    return changes;
  }
  for (let number = 1; number < size; number++) {
    const ref = PdfRef.of(number, 0);
    const old = before.object(ref);
    if (old === null || isContainer(old)) continue;
    const now = after.object(ref);
    if (now === null) {
      add(false, `object ${number} was removed`);
      continue;
    }
    if (sameValue(old, now)) continue;
    const role = roles.get(number);
    if (role?.kind === 'catalog') compareCatalog(before, after, old, now, add);
    else if (role?.kind === 'acroForm') compareAcroForm(before, after, old, now, add);
    else if (role?.kind === 'page') comparePage(before, after, role.index, old, now, add);
    else if (role?.kind === 'annots') compareAnnots(after, `page ${role.index + 1}`, old, now, add);
    else if (role?.kind === 'fields') compareFields(after, old, now, add);
    else if (role?.kind === 'dss') add(true, 'validation data (DSS) updated');
    else if (role?.kind === 'emptySignatureField' && isSignatureField(now, after)) {
      add(true, `signature field ${fieldName(now)} signed`);
    } else add(false, `${describe(old, number)} was modified`);
  }
  return changes;
}

type Role =
  | { kind: 'catalog' | 'acroForm' | 'fields' | 'dss' | 'emptySignatureField' }
  | { kind: 'page' | 'annots'; index: number };

/** One revision of a document, with the lookups the comparison needs. */
class Revision {
  readonly resolve: (ref: PdfRef) => PdfObject | null;
  constructor(readonly document: PDF) {
    const registry = document.context.registry;
    this.resolve = registry.resolve.bind(registry);
  }

  object(ref: PdfRef): PdfObject | null {
    try {
      return this.resolve(ref);
    } catch {
      return null;
    }
  }

  deref(value: PdfObject | undefined): PdfObject | undefined {
    return value instanceof PdfRef ? (this.object(value) ?? undefined) : value;
  }

  trailerRef(key: string): PdfRef | undefined {
    return this.trailer()?.getRef(key);
  }

  /** `/Size` of the trailer: one more than the highest object number. */
  size(): number {
    const size = this.trailer()?.getNumber('Size')?.value ?? 0;
    return Number.isInteger(size) && size > 0 ? size : 0;
  }

  private trailer(): PdfDict | undefined {
    // The trailer is not part of @libpdf/core's public API; its context keeps the parsed one.
    const info = this.document.context.info as { trailer?: unknown };
    return info.trailer instanceof PdfDict ? info.trailer : undefined;
  }

  /** What each indirect object of this revision is, for the objects whose changes have rules. */
  roles(): Map<number, Role> {
    const roles = new Map<number, Role>();
    const set = (value: PdfObject | undefined, role: Role) => {
      if (value instanceof PdfRef && !roles.has(value.objectNumber)) roles.set(value.objectNumber, role);
    };
    set(this.trailerRef('Root'), { kind: 'catalog' });
    const catalog = this.document.getCatalog();
    set(catalog.get('AcroForm'), { kind: 'acroForm' });
    const acroForm = this.deref(catalog.get('AcroForm'));
    if (acroForm instanceof PdfDict) {
      set(acroForm.get('Fields'), { kind: 'fields' });
      const fields = this.deref(acroForm.get('Fields'));
      if (fields instanceof PdfArray) {
        for (const field of fields) {
          const dict = this.deref(field);
          if (dict instanceof PdfDict && isSignatureField(dict, this) && !dict.has('V')) {
            set(field, { kind: 'emptySignatureField' });
          }
        }
      }
    }
    const dss = this.deref(catalog.get('DSS'));
    set(catalog.get('DSS'), { kind: 'dss' });
    if (dss instanceof PdfDict) for (const [, value] of dss) set(value, { kind: 'dss' });
    this.document.getPages().forEach((page, index) => {
      const ref = this.document.context.getRef(page.dict);
      if (ref) roles.set(ref.objectNumber, { kind: 'page', index });
      set(page.dict.get('Annots'), { kind: 'annots', index });
    });
    return roles;
  }
}

type Add = (allowed: boolean, description: string) => void;

/** The catalog may gain a DSS (and the extension marker that declares it) and form changes judged on their own. */
function compareCatalog(before: Revision, after: Revision, old: PdfObject, now: PdfObject, add: Add): void {
  if (!(old instanceof PdfDict) || !(now instanceof PdfDict)) {
    add(false, 'the document catalog was replaced');
    return;
  }
  for (const key of changedKeys(old, now)) {
    if (key === 'DSS') add(true, 'validation data (DSS) added');
    else if (key === 'Extensions') add(true, 'extensions declared');
    else if (key === 'AcroForm') {
      const o = before.deref(old.get('AcroForm'));
      const n = after.deref(now.get('AcroForm'));
      if (o === undefined && n instanceof PdfDict) compareFields(after, new PdfArray(), n.get('Fields'), add);
      else if (o !== undefined && n !== undefined) compareAcroForm(before, after, o, n, add);
      else add(false, 'the form was removed');
    } else add(false, `catalog: /${key} ${verb(old, now, key)}`);
  }
}

function compareAcroForm(before: Revision, after: Revision, old: PdfObject, now: PdfObject, add: Add): void {
  if (!(old instanceof PdfDict) || !(now instanceof PdfDict)) {
    add(false, 'the form was replaced');
    return;
  }
  for (const key of changedKeys(old, now)) {
    if (key === 'Fields')
      compareFields(after, before.deref(old.get('Fields')) ?? new PdfArray(), now.get('Fields'), add);
    // SigFlags (signatures exist, append only) and DR (resources of new appearances) change with a new signature.
    else if (key === 'SigFlags' || key === 'DR') continue;
    else add(false, `form: /${key} ${verb(old, now, key)}`);
  }
}

/** The form's field list may only grow, and only by signature fields. */
function compareFields(after: Revision, old: PdfObject, nowValue: PdfObject | undefined, add: Add): void {
  const now = after.deref(nowValue);
  if (!(old instanceof PdfArray) || !(now instanceof PdfArray)) {
    add(false, 'the form fields were replaced');
    return;
  }
  const previous = old.toArray();
  const current = now.toArray();
  if (previous.some((item, i) => !sameValue(item, current[i] ?? new PdfArray()))) {
    add(false, 'form fields were removed or reordered');
    return;
  }
  for (const item of current.slice(previous.length)) {
    const field = after.deref(item);
    if (field instanceof PdfDict && isSignatureField(field, after)) {
      const timestamp = after.deref(field.get('V'));
      const kind = timestamp instanceof PdfDict && timestamp.getName('Type')?.value === 'DocTimeStamp';
      add(true, `${kind ? 'document timestamp' : 'signature field'} ${fieldName(field)} added`);
    } else add(false, `form field ${field instanceof PdfDict ? fieldName(field) : '?'} added (not a signature)`);
  }
}

function comparePage(before: Revision, after: Revision, index: number, old: PdfObject, now: PdfObject, add: Add): void {
  if (!(old instanceof PdfDict) || !(now instanceof PdfDict)) {
    add(false, `page ${index + 1} was replaced`);
    return;
  }
  for (const key of changedKeys(old, now)) {
    if (key === 'Annots') {
      compareAnnots(
        after,
        `page ${index + 1}`,
        before.deref(old.get('Annots')) ?? new PdfArray(),
        now.get('Annots'),
        add,
      );
    } else add(false, `page ${index + 1}: /${key} ${verb(old, now, key)}`);
  }
}

/** A page's annotations may only grow, and only by widgets of signature fields. */
function compareAnnots(
  after: Revision,
  where: string,
  old: PdfObject,
  nowValue: PdfObject | undefined,
  add: Add,
): void {
  const now = after.deref(nowValue);
  if (!(old instanceof PdfArray) || !(now instanceof PdfArray)) {
    add(false, `${where}: annotations replaced`);
    return;
  }
  const previous = old.toArray();
  const current = now.toArray();
  if (previous.some((item, i) => !sameValue(item, current[i] ?? new PdfArray()))) {
    add(false, `${where}: annotations removed or reordered`);
    return;
  }
  for (const item of current.slice(previous.length)) {
    const annotation = after.deref(item);
    const subtype = annotation instanceof PdfDict ? annotation.getName('Subtype')?.value : undefined;
    if (annotation instanceof PdfDict && subtype === 'Widget' && isSignatureField(annotation, after)) continue;
    add(false, `${where}: ${subtype ?? 'unknown'} annotation added`);
  }
}

/** A field (or a widget of one) whose type, own or inherited, is /Sig. */
function isSignatureField(dict: PdfObject, revision: Revision): boolean {
  let current: PdfObject | undefined = dict;
  for (let depth = 0; depth < 32 && current instanceof PdfDict; depth++) {
    const type = current.getName('FT')?.value;
    if (type !== undefined) return type === 'Sig';
    current = revision.deref(current.get('Parent'));
  }
  return false;
}

function fieldName(dict: PdfObject): string {
  return dict instanceof PdfDict ? (dict.getString('T')?.asString() ?? '(unnamed)') : '(unnamed)';
}

/** Object streams and cross-reference streams hold other objects; their own bytes change with every revision. */
function isContainer(value: PdfObject): boolean {
  const type = value instanceof PdfStream ? value.getName('Type')?.value : undefined;
  return type === 'ObjStm' || type === 'XRef';
}

function describe(value: PdfObject, number: number): string {
  if (!(value instanceof PdfDict)) return `object ${number}`;
  const type = value.getName('Type')?.value ?? value.getName('Subtype')?.value;
  const kind = value instanceof PdfStream ? 'stream' : 'dictionary';
  return type ? `object ${number} (/${type} ${kind})` : `object ${number} (${kind})`;
}

function verb(old: PdfDict, now: PdfDict, key: string): string {
  if (!old.has(key)) return 'added';
  if (!now.has(key)) return 'removed';
  return 'replaced';
}

function changedKeys(old: PdfDict, now: PdfDict): string[] {
  const keys = new Set([...old.keys(), ...now.keys()].map((k) => k.value));
  return [...keys].filter((key) => {
    const a = old.get(key);
    const b = now.get(key);
    return a === undefined || b === undefined || !sameValue(a, b);
  });
}

/** Structural equality of two PDF values; references compare by number (their targets are compared on their own). */
export function sameValue(a: PdfObject, b: PdfObject, depth = 0): boolean {
  if (depth > 64) return false;
  if (a instanceof PdfRef || b instanceof PdfRef) {
    return (
      a instanceof PdfRef && b instanceof PdfRef && a.objectNumber === b.objectNumber && a.generation === b.generation
    );
  }
  if (a instanceof PdfStream || b instanceof PdfStream) {
    return (
      a instanceof PdfStream &&
      b instanceof PdfStream &&
      Buffer.from(a.data).equals(Buffer.from(b.data)) &&
      sameDict(a, b, depth)
    );
  }
  if (a instanceof PdfDict || b instanceof PdfDict) {
    return a instanceof PdfDict && b instanceof PdfDict && sameDict(a, b, depth);
  }
  if (a instanceof PdfArray || b instanceof PdfArray) {
    if (!(a instanceof PdfArray && b instanceof PdfArray) || a.length !== b.length) return false;
    const left = a.toArray();
    const right = b.toArray();
    return left.every((item, i) => sameValue(item, right[i] as PdfObject, depth + 1));
  }
  if (a instanceof PdfString && b instanceof PdfString) return Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
  if (a instanceof PdfName && b instanceof PdfName) return a.value === b.value;
  if (a instanceof PdfNumber && b instanceof PdfNumber) return a.value === b.value;
  if (a instanceof PdfBool && b instanceof PdfBool) return a.value === b.value;
  return a.type === b.type && a.type === 'null';
}

function sameDict(a: PdfDict, b: PdfDict, depth: number): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    // /Length of a stream may be a reference or a number for the same bytes; the data is compared itself.
    if (
      other === undefined ||
      (!sameValue(value, other, depth + 1) && !(key.value === 'Length' && a instanceof PdfStream))
    )
      return false;
  }
  return true;
}
