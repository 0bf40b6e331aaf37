import type { RenderedNode } from '@hubspot/ui-extensions/testing';

/**
 * All the text a user would read inside a node, element boundaries as single spaces.
 * The renderer's own `.text` holds only a node's direct text children.
 */
export function visibleText(node: RenderedNode): string {
  const parts: string[] = [];
  const walk = (current: RenderedNode) => {
    if (current.nodeType === 'text') {
      parts.push(current.text);
      return;
    }
    if (current.nodeType === 'element') parts.push(' ');
    for (const child of current.childNodes) walk(child);
    if (current.nodeType === 'element') parts.push(' ');
  };
  walk(node);
  return parts.join('').replace(/\s+/g, ' ').trim();
}
