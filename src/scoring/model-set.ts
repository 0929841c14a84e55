/**
 * The models serving uses: the champion of every task, verified against this code's feature
 * schema when loaded. A task whose champion cannot be loaded is reported with the reason (the
 * API answers 503 for it) instead of being scored by something else.
 */
import { featureSchemaHash } from '../features/definitions.ts';
import { featureSetFor, TASKS, type TaskName } from '../features/tasks.ts';
import { loadArtifact, type ModelManifest } from '../models/artifact.ts';
import type { CalibratedModel } from '../models/calibration/calibrated-model.ts';
import { listVersions, RegistryError, resolveAlias, syncRegistryFromDisk } from '../models/registry.ts';
import type { Database, Queryable } from '../store/database.ts';

export interface ServedModel {
  task: TaskName;
  version: number;
  model: CalibratedModel;
  manifest: ModelManifest;
  /** The artifact's folder, so a scoring thread can load the same model. */
  artifactDir: string;
}

/**
 * A model set as plain data: what a scoring thread needs to load the same models, each served
 * artifact with the checksum it was verified against. (Threads only get complete sets: a set
 * with an unavailable model is refused before any work is sent.)
 */
export interface ModelSetDescriptor {
  served: { task: TaskName; version: number; artifactDir: string; checksum: string }[];
}

export class ModelSet {
  constructor(
    readonly models: ReadonlyMap<TaskName, ServedModel>,
    /** Tasks without a loadable champion, with the reason. */
    readonly unavailable: ReadonlyMap<TaskName, string>,
    /** The champion version the registry named for each task when loaded, served or not. */
    readonly championsAtLoad: ReadonlyMap<TaskName, number | null>,
  ) {}

  get(task: TaskName): ServedModel | undefined {
    return this.models.get(task);
  }

  #versions: Record<string, number> | undefined;

  /** `name@version` of every served model: stored with each score so it can be reproduced. */
  versions(): Record<string, number> {
    // Built once (the set never changes); each caller gets its own copy.
    this.#versions ??= Object.fromEntries([...this.models.values()].map((m) => [m.task, m.version]));
    return { ...this.#versions };
  }

  /**
   * Whether the registry still names the champions this set was loaded for. Cheap (no artifact is
   * read), so a server can ask often; a champion that failed to load counts as current, so a
   * broken artifact is not re-read until the registry names another version.
   */
  async isCurrent(db: Queryable): Promise<boolean> {
    for (const task of TASKS) {
      if ((await championVersion(db, task)) !== (this.championsAtLoad.get(task) ?? null)) return false;
    }
    return true;
  }

  #descriptor: ModelSetDescriptor | undefined;

  descriptor(): ModelSetDescriptor {
    this.#descriptor ??= {
      served: [...this.models.values()].map((m) => ({ task: m.task, version: m.version, artifactDir: m.artifactDir, checksum: m.manifest.checksum })),
    };
    return this.#descriptor;
  }

  #descriptorKey: string | undefined;

  /** The descriptor as JSON: a scoring thread keys the sets it keeps loaded by it. */
  descriptorKey(): string {
    this.#descriptorKey ??= JSON.stringify(this.descriptor());
    return this.#descriptorKey;
  }

  /**
   * The set a descriptor names, loaded again (in a scoring thread). An artifact that no longer
   * matches the checksum the descriptor carries is an error: the thread would score with another
   * model than the one whose version it reports.
   */
  static async fromDescriptor(descriptor: ModelSetDescriptor): Promise<ModelSet> {
    const models = new Map<TaskName, ServedModel>();
    for (const { task, version, artifactDir, checksum } of descriptor.served) {
      const served = await loadServedModel(task, version, artifactDir);
      if (served.manifest.checksum !== checksum) throw new Error(`${task} v${version}: the artifact at ${artifactDir} changed since the service loaded it`);
      models.set(task, served);
    }
    return new ModelSet(models, new Map(), new Map(descriptor.served.map((m) => [m.task, m.version])));
  }

  /**
   * Exactly these versions (a scoring job's, fixed when it started), each loaded and verified as
   * `load` does, whatever the registry's champions are now. A task with no version here, one the
   * registry no longer has, or an artifact that fails to load is unavailable with the reason:
   * the caller must not score it with another version.
   */
  static async loadVersions(db: Queryable, versions: Readonly<Record<string, number>>): Promise<ModelSet> {
    const models = new Map<TaskName, ServedModel>();
    const unavailable = new Map<TaskName, string>();
    const pinned = new Map<TaskName, number | null>();
    for (const task of TASKS) {
      const version = versions[task];
      pinned.set(task, version ?? null);
      if (version === undefined) {
        unavailable.set(task, `${task} was not served when these versions were fixed`);
        continue;
      }
      const registered = (await listVersions(db, task)).find((v) => v.version === version);
      if (!registered) {
        unavailable.set(task, `${task} v${version} is no longer registered`);
        continue;
      }
      try {
        models.set(task, await loadServedModel(task, version, registered.path));
      } catch (err) {
        unavailable.set(task, err instanceof Error ? err.message : String(err));
      }
    }
    return new ModelSet(models, unavailable, pinned);
  }

  /** Register what is on disk, then load and verify the champion of every task. */
  static async load(db: Database, modelsDir: string): Promise<ModelSet> {
    await syncRegistryFromDisk(db, modelsDir);
    const models = new Map<TaskName, ServedModel>();
    const unavailable = new Map<TaskName, string>();
    const championsAtLoad = new Map<TaskName, number | null>();
    for (const task of TASKS) {
      championsAtLoad.set(task, null);
      try {
        const champion = await resolveAlias(db, task, 'champion');
        championsAtLoad.set(task, champion.version);
        models.set(task, await loadServedModel(task, champion.version, champion.path));
      } catch (err) {
        unavailable.set(task, err instanceof Error ? err.message : String(err));
      }
    }
    return new ModelSet(models, unavailable, championsAtLoad);
  }
}

/** A registered version's artifact, loaded and checked against this code's feature schema for the task. */
async function loadServedModel(task: TaskName, version: number, artifactDir: string): Promise<ServedModel> {
  const { manifest, model } = await loadArtifact(artifactDir, featureSchemaHash(featureSetFor(task)));
  return { task, version, model, manifest, artifactDir };
}

async function championVersion(db: Queryable, task: TaskName): Promise<number | null> {
  try {
    return (await resolveAlias(db, task, 'champion')).version;
  } catch (err) {
    // No model or no champion for the task; a store error is the caller's to see.
    if (err instanceof RegistryError) return null;
    throw err;
  }
}
