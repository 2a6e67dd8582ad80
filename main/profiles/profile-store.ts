import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomic-file';
import { AppError } from '../common/errors';
import {
  applyProfilePatch,
  isSandboxProfile,
  ProfileSchema,
  sandboxProfile,
  SANDBOX_PROFILE_NAME,
  type Profile,
  type ProfilePatch,
} from './profile';

/**
 * Profiles in `<dataDir>/settings.json` under `profiles` and `defaultProfile`, written atomically. Other keys
 * of the settings file (other parts of the app may keep theirs there) are preserved as they are.
 */
const SettingsSchema = z
  .object({
    profiles: z.record(z.string(), z.unknown()).optional(),
    defaultProfile: z.string().optional(),
  })
  .passthrough();
type Settings = z.infer<typeof SettingsSchema>;

export class ProfileStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly settingsPath: string) {}

  /** Every profile, the built-in sandbox first. */
  async list(): Promise<Profile[]> {
    const settings = await this.read();
    const stored = Object.values(settings.profiles ?? {})
      .map((value) => ProfileSchema.safeParse(value))
      .filter((result) => result.success)
      .map((result) => result.data)
      .sort((a, b) => a.name.localeCompare(b.name));
    return [sandboxProfile(), ...stored.filter((profile) => !isSandboxProfile(profile.name))];
  }

  async find(name: string): Promise<Profile | null> {
    return (await this.list()).find((profile) => profile.name === name) ?? null;
  }

  async get(name: string): Promise<Profile> {
    const profile = await this.find(name);
    if (!profile) {
      throw new AppError('PROFILE_NOT_FOUND', `There is no profile named "${name}".`, {
        details: { name },
        hint: 'List profiles with "image-sealer profiles list", or add one with "image-sealer profiles add NAME --region REGION".',
      });
    }
    return profile;
  }

  async defaultName(): Promise<string> {
    const settings = await this.read();
    const name = settings.defaultProfile;
    if (name && (isSandboxProfile(name) || (settings.profiles ?? {})[name] !== undefined)) return name;
    return SANDBOX_PROFILE_NAME;
  }

  async setDefault(name: string): Promise<void> {
    await this.get(name);
    await this.modify((settings) => ({ ...settings, defaultProfile: name }));
  }

  async add(profile: Profile): Promise<Profile> {
    refuseSandbox(profile.name, 'add');
    const parsed = ProfileSchema.parse(profile);
    await this.modify((settings) => {
      if ((settings.profiles ?? {})[parsed.name] !== undefined) {
        throw new AppError('PROFILE_EXISTS', `A profile named "${parsed.name}" exists already.`, {
          details: { name: parsed.name },
          hint: `Change it with "image-sealer profiles set ${parsed.name} …".`,
        });
      }
      return { ...settings, profiles: { ...settings.profiles, [parsed.name]: parsed } };
    });
    return parsed;
  }

  /** Adds or replaces a whole profile (the settings form saves this way). */
  async save(profile: Profile): Promise<Profile> {
    refuseSandbox(profile.name, 'change');
    const parsed = ProfileSchema.parse(profile);
    await this.modify((settings) => ({ ...settings, profiles: { ...settings.profiles, [parsed.name]: parsed } }));
    return parsed;
  }

  async update(name: string, patch: ProfilePatch): Promise<Profile> {
    refuseSandbox(name, 'change');
    let updated: Profile | undefined;
    await this.modify((settings) => {
      const current = ProfileSchema.safeParse((settings.profiles ?? {})[name]);
      if (!current.success) throw new AppError('PROFILE_NOT_FOUND', `There is no profile named "${name}".`, { details: { name } });
      updated = applyProfilePatch(current.data, patch);
      return { ...settings, profiles: { ...settings.profiles, [name]: updated } };
    });
    return updated!;
  }

  async remove(name: string): Promise<void> {
    refuseSandbox(name, 'remove');
    await this.modify((settings) => {
      const profiles = { ...settings.profiles };
      if (profiles[name] === undefined) throw new AppError('PROFILE_NOT_FOUND', `There is no profile named "${name}".`, { details: { name } });
      delete profiles[name];
      const next: Settings = { ...settings, profiles };
      if (next.defaultProfile === name) next.defaultProfile = SANDBOX_PROFILE_NAME;
      return next;
    });
  }

  private async read(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(this.settingsPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    try {
      return SettingsSchema.parse(JSON.parse(text));
    } catch (cause) {
      throw new AppError('SETTINGS_DAMAGED', `The settings file ${this.settingsPath} cannot be read.`, {
        hint: 'Fix or delete the file; profiles will then start again from the built-in sandbox.',
        cause,
      });
    }
  }

  private modify(change: (settings: Settings) => Settings): Promise<void> {
    const run = this.queue.then(async () => {
      const next = change(await this.read());
      await writeFileAtomic(this.settingsPath, `${JSON.stringify(next, null, 2)}\n`);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function refuseSandbox(name: string, verb: string): void {
  if (isSandboxProfile(name)) {
    throw new AppError('PROFILE_BUILT_IN', `The "sandbox" profile is built in and cannot be ${verb === 'add' ? 'added' : verb === 'remove' ? 'removed' : 'changed'}.`, {
      hint: 'Add a profile of your own for an IBM Cloud account: "image-sealer profiles add NAME --region REGION".',
    });
  }
}
