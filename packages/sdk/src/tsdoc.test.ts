import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// Every name the package exports, and every public method of its exported classes, carries
// TSDoc with an @example: what an integrator sees on hover and in the published d.ts.
const entry = fileURLToPath(new URL('./index.ts', import.meta.url));

function exampleless(): string[] {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol, 'index.ts is a module');
  const hasExample = (node: ts.Node) => ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'example');
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const declaration of symbol.declarations ?? []) {
      if (!hasExample(declaration)) missing.push(exported.name);
      if (!ts.isClassDeclaration(declaration)) continue;
      for (const member of declaration.members) {
        const hidden =
          ts.getCombinedModifierFlags(member as ts.Declaration).valueOf() &
          (ts.ModifierFlags.Private | ts.ModifierFlags.Protected);
        const method =
          ts.isMethodDeclaration(member) ||
          ts.isGetAccessorDeclaration(member) ||
          (ts.isPropertyDeclaration(member) &&
            member.initializer !== undefined &&
            ts.isArrowFunction(member.initializer));
        if (hidden || !method || !member.name || ts.isPrivateIdentifier(member.name)) continue;
        if (!hasExample(member)) missing.push(`${exported.name}.${member.name.getText()}`);
      }
    }
  }
  return missing;
}

describe("the SDK's documentation", () => {
  it('has an @example on every export and every public class method', () => {
    assert.deepEqual(exampleless(), []);
  });
});
