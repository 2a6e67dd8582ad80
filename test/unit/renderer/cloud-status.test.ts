import { describe, expect, it } from 'vitest';
import { cloudStatusView } from '../../../renderer/src/format/cloud-status';
import { en } from '../../../renderer/src/i18n/en';
import { es } from '../../../renderer/src/i18n/es';

type Tree = { [key: string]: string | Tree };

function lookupIn(catalog: Tree) {
  return (key: string): string | undefined => {
    let node: string | Tree | undefined = catalog;
    for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
    return typeof node === 'string' ? node : undefined;
  };
}

describe('cloudStatusView', () => {
  it("words IBM's states in the page's language and keeps IBM's word", () => {
    expect(cloudStatusView('image', 'available', lookupIn(es as Tree))).toEqual({
      status: 'available',
      label: 'Disponible',
    });
    expect(cloudStatusView('instance', 'running', lookupIn(es as Tree)).label).toBe('En ejecución');
    expect(cloudStatusView('image', 'failed', lookupIn(en as Tree)).label).toBe('Failed');
  });

  it('shows a state IBM added since as IBM says it, and never looks up anything but a state word', () => {
    expect(cloudStatusView('image', 'quarantined', lookupIn(es as Tree))).toEqual({
      status: 'quarantined',
      label: 'quarantined',
    });
    // "failed.x" or "../" must not reach another catalog entry.
    expect(cloudStatusView('image', 'image.failed', lookupIn({ cloudStatus: es.cloudStatus } as Tree)).label).toBe(
      'image.failed',
    );
    expect(cloudStatusView('instance', '', lookupIn(es as Tree)).label).toBe('');
  });

  it('has a text for every state main treats as final', async () => {
    const { IMAGE_FINAL_STATES, INSTANCE_FINAL_STATES } = await import('../../../main/cloud/vpc-client');
    for (const state of IMAGE_FINAL_STATES) expect(Object.keys(en.cloudStatus.image)).toContain(state);
    for (const state of INSTANCE_FINAL_STATES) expect(Object.keys(en.cloudStatus.instance)).toContain(state);
  });
});
