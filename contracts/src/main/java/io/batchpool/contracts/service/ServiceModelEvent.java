package io.batchpool.contracts.service;

import io.batchpool.contracts.Message;

/**
 * The models of registered web services, on topic {@code batchpool.service-models.v1}: api-gateway publishes every
 * model version (from its outbox, in the transaction that registers it), VM agents keep a local copy of each. The
 * topic is compacted and keyed by {@code serviceId:version}, so it holds every version ever registered, once: a job
 * keeps the version it was submitted with, however old.
 */
public sealed interface ServiceModelEvent extends Message permits ModelPublished {
    String serviceId();

    String modelId();

    @Override
    default String aggregateId() {
        return serviceId();
    }

    @Override
    default String key() {
        return modelId();
    }
}
