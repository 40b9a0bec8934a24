/**
 * Reading surveys, for reports, commands and the relationship schedule: the survey
 * repository's read side. It cannot write (a pipeline that writes is refused), so every
 * change to a survey still goes through `SurveyRepository`'s named operations.
 */
import type { Connection, Model, PipelineStage, mongo } from 'mongoose';
import mongoose from 'mongoose';
import { surveyModel, type SurveyDoc } from './survey-model.ts';

export interface FindOptions { sort?: Record<string, 1 | -1>; limit?: number; skip?: number }

export class SurveyReader {
  private readonly model: Model<SurveyDoc>;

  constructor(conn: Connection) {
    this.model = surveyModel(conn);
  }

  /** An aggregation over surveys, read only. */
  aggregate<T>(pipeline: PipelineStage[]): Promise<T[]> {
    refuseWrites(pipeline);
    return this.model.aggregate<T>(pipeline).exec();
  }

  /** The same, streamed through the driver (for rebuilding over every survey). */
  aggregateCursor<T extends mongo.Document>(pipeline: mongo.Document[], options: { allowDiskUse?: boolean; batchSize?: number } = {}): mongo.AggregationCursor<T> {
    refuseWrites(pipeline);
    return this.model.collection.aggregate<T>(pipeline, options);
  }

  /** Surveys streamed through the driver, as stored (no defaults applied). */
  findCursor(filter: mongo.Filter<mongo.Document>, projection: mongo.Document, batchSize?: number): mongo.FindCursor<mongo.Document> {
    return this.model.collection.find(filter, { projection, ...(batchSize ? { batchSize } : {}) });
  }

  find<T = SurveyDoc>(filter: Record<string, unknown>, projection?: Record<string, 0 | 1>, opts: FindOptions = {}): Promise<T[]> {
    let q = this.model.find(filter, projection);
    if (opts.sort) q = q.sort(opts.sort);
    if (opts.skip) q = q.skip(opts.skip);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return q.lean().exec() as Promise<T[]>;
  }

  /** One survey by id (null for an id that is not one). */
  async byId<T = SurveyDoc>(id: unknown, projection?: Record<string, 0 | 1>): Promise<T | null> {
    if (!mongoose.isValidObjectId(id)) return null;
    return this.model.findById(id, projection).lean().exec() as Promise<T | null>;
  }

  count(filter: Record<string, unknown>): Promise<number> {
    return this.model.countDocuments(filter).exec();
  }

  async exists(filter: Record<string, unknown>): Promise<boolean> {
    return (await this.model.exists(filter)) !== null;
  }
}

function refuseWrites(pipeline: ReadonlyArray<object>): void {
  for (const stage of pipeline) {
    if ('$out' in stage || '$merge' in stage) throw new Error('SurveyReader: a pipeline may not write ($out/$merge)');
  }
}
