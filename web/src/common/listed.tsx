// A list of things as a table with a header row, or a line saying there is none: how the
// console shows every queue and list.

import type { ComponentChildren, VNode } from "preact";

export function Listed<T>({
  items,
  kind,
  heads,
  empty,
  row,
}: {
  items: T[] | null | undefined;
  kind: string;
  heads: ComponentChildren[];
  empty: string;
  row: (item: T) => VNode;
}) {
  if (!items) return null;
  if (items.length === 0) return <p class="empty">{empty}</p>;
  return (
    <table class={kind}>
      <thead>
        <tr>
          {heads.map((head, index) => (
            <th scope="col" key={index}>
              {head}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{items.map(row)}</tbody>
    </table>
  );
}
