/**
 * Every error leaves the server in ARM's envelope `{ "error": { code, message } }`, including
 * Fastify's own (malformed JSON, body too large, unknown media type, unknown route). A bug
 * is a 500 `InternalServerError` in the same shape, logged with its stack; bad input never is.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ArmErrors, isArmError, type ArmError } from "../model/errors.js";

export function toArmError(err: unknown, req: FastifyRequest, bodyLimit: number): ArmError {
  if (isArmError(err)) return err;
  const e = err as Partial<FastifyError> & { status?: number };
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return ArmErrors.requestTooLarge(bodyLimit);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return ArmErrors.unsupportedMediaType(String(req.headers["content-type"] ?? ""));
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return ArmErrors.invalidRequestContent(
        `The request content was invalid and could not be deserialized: ${e.message ?? ""}`,
      );
  }
  const status = e.statusCode ?? e.status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    if (status === 413) return ArmErrors.requestTooLarge(bodyLimit);
    if (status === 415) return ArmErrors.unsupportedMediaType(String(req.headers["content-type"] ?? ""));
    return ArmErrors.badRequest(e.message ?? "Bad request.");
  }
  req.log.error({ err }, "unhandled error");
  return ArmErrors.internalServerError(String(req.id));
}

export function sendArmError(reply: FastifyReply, err: ArmError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply.status(err.status).type("application/json; charset=utf-8").send(err.toBody());
}
