/**
 * Reading surveys, for reports, commands and the relationship schedule: the survey
 * repository's read side. It cannot write (a pipeline that writes is refused), so every
 * change to a survey still goes through `SurveyRepository`'s named operations.
 */
import type { Connection, Model, PipelineStage, mongo } from 'mongoose';
import mongoose from 'mongoose';
import { surveyModel, type SurveyDoc } from './survey-model.ts';

export interface FindOptions { sort?: Record<string, 1 | -1>; limit?: number; skip?: number }

/** One page of GET /api/surveys: surveys after `afterId` (and from `sinceId` on), oldest id first. */
export interface SurveyPageQuery {
  /** An agent token's own surveys only. */
  agentId?: string;
  /** …and, when the token names one, only on its channel. */
  channel?: string;
  afterId?: mongoose.Types.ObjectId;
  sinceId?: mongoose.Types.ObjectId;
  limit: number;
}

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

  /**
   * A page of surveys by id, the listing's one query: an index range on `_id` (a manager),
   * or on `{'agent.id', _id}` (an agent token). Ids only grow, so a page never shifts
   * when surveys are added meanwhile: new ones come on later pages.
   */
  surveyPage(q: SurveyPageQuery): Promise<SurveyDoc[]> {
    const id: Record<string, unknown> = {};
    if (q.afterId) id.$gt = q.afterId;
    if (q.sinceId) id.$gte = q.sinceId;
    const filter: Record<string, unknown> = {
      ...(q.agentId !== undefined ? { 'agent.id': q.agentId } : {}),
      ...(q.channel !== undefined ? { channel: q.channel } : {}),
      ...(Object.keys(id).length > 0 ? { _id: id } : {}),
    };
    const sort: Record<string, 1> = q.agentId !== undefined ? { 'agent.id': 1, _id: 1 } : { _id: 1 };
    return this.model.find(filter, {
      channel: 1, conversationId: 1, type: 1, agent: 1, state: 1, skipReason: 1, score: 1, category: 1, comment: 1, link: 1,
      resolvedAt: 1, askedAt: 1, remindedAt: 1, scoredAt: 1, completedAt: 1, updatedAt: 1, forgotten: 1,
    }).sort(sort).limit(q.limit).lean().exec() as Promise<SurveyDoc[]>;
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
