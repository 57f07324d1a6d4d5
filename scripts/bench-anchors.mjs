// The benchmarks' seeded worlds as a settled domain has them: every anchor under `ou` proven for
// its object's objectGUID (docs/anchor-trust.md), as the sync's write right after each add leaves
// it. The objectGUID is the DC's choice, so the proof can only be made once the object exists:
// one paged read, then one write per object whose anchor does not carry that proof yet.
import { Attribute, Change } from 'ldapts';
import { anchorProof, guidText } from '../engine/src/ad/anchorproof.ts';
import { firstBinaryValue } from '../engine/src/ad/binary.ts';
import { decodeAnchor, encodeAnchor } from '../engine/src/ad/names.ts';
import { firstString } from '../engine/src/ad/entry.ts';

/** Proves every anchor under `ou` for its objectGUID with `key` (an anchor that already carries that proof is left as it is). */
export async function proveAnchors(session, ou, key) {
  const anchored = [];
  for await (const page of session.searchPaged(
    ou,
    { scope: 'sub', filter: '(adminDescription=JumpCloud:*)', attributes: ['adminDescription', 'objectGUID'] },
    1000,
  ))
    anchored.push(...page);
  for (const entry of anchored) {
    const anchor = decodeAnchor(firstString(entry.adminDescription));
    if (!anchor || anchor === 'foreign') continue;
    const proof = anchorProof(key, guidText(firstBinaryValue(entry.objectGUID)), anchor.jcId);
    if (anchor.proof === proof) continue;
    await session.ldapClient.modify(entry.dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'adminDescription', values: [encodeAnchor({ ...anchor, proof })] }) }),
    ]);
  }
}
