import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import type { FastifyValidationResult } from 'fastify/types/schema.js';

type Validator = ((data: unknown) => unknown) & { errors?: unknown };
type Serializer = (data: unknown) => string;

/**
 * Fastify compiles every route's request and response schemas while the app boots: about half a second for this
 * API, most of it for routes a given instance may not serve for minutes. Here each schema is compiled the first
 * time its route needs it, and `warmUpSchemas` compiles the rest in the background once the server listens, one
 * schema per event-loop turn, so a schema mistake still shows up within seconds of start and no request waits for
 * more than one compilation.
 */
const pendingByApp = new WeakMap<FastifyInstance, Set<() => void>>();

function lazyValidator(pending: Set<() => void>, compile: () => Validator): Validator {
  let compiled: Validator | undefined;
  const ensure = (): Validator => {
    if (!compiled) {
      compiled = compile();
      pending.delete(ensure);
    }
    return compiled;
  };
  pending.add(ensure);
  // Fastify reads the errors of a failed validation from the function it was handed.
  const validate: Validator = (data) => {
    const run = ensure();
    const result = run(data);
    validate.errors = run.errors;
    return result;
  };
  return validate;
}

function lazySerializer(pending: Set<() => void>, compile: () => Serializer): Serializer {
  let compiled: Serializer | undefined;
  const ensure = (): Serializer => {
    if (!compiled) {
      compiled = compile();
      pending.delete(ensure);
    }
    return compiled;
  };
  pending.add(ensure);
  return (data) => ensure()(data);
}

/**
 * Call once on the root app, after its validator compiler is set: that compiler and Fastify's own response
 * serializer (fast-json-stringify) then compile each schema on first use.
 */
export function compileSchemasOnFirstUse(app: FastifyInstance): void {
  const pending = pendingFor(app);
  const compileValidator = app.validatorCompiler as FastifySchemaCompiler<unknown> | undefined;
  if (compileValidator) {
    app.setValidatorCompiler(
      (route) =>
        lazyValidator(pending, () => compileValidator(route) as Validator) as FastifyValidationResult,
    );
  }
  const build = SerializerSelector()({}, {});
  const serializerCompiler: FastifySerializerCompiler<unknown> = (route) =>
    lazySerializer(pending, () => build(route as Parameters<typeof build>[0]) as Serializer);
  app.setSerializerCompiler(serializerCompiler);
}

/** Compiles every schema not yet compiled, one per event-loop turn; resolves when none is left. */
export async function warmUpSchemas(app: FastifyInstance): Promise<number> {
  const pending = pendingFor(app);
  let compiled = 0;
  while (pending.size > 0) {
    const next = pending.values().next().value as () => void;
    next();
    pending.delete(next);
    compiled += 1;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return compiled;
}

function pendingFor(app: FastifyInstance): Set<() => void> {
  let pending = pendingByApp.get(app);
  if (!pending) {
    pending = new Set();
    pendingByApp.set(app, pending);
  }
  return pending;
}
