package io.batchpool.gateway.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.service.ModelPublished;
import io.batchpool.gateway.publisher.OutboxWriter;
import io.batchpool.gateway.domain.AccountKeys;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.ModelInput;
import io.batchpool.gateway.domain.ServiceKind;
import io.batchpool.gateway.domain.ServiceParameter;
import io.batchpool.gateway.domain.ServiceUrl;
import io.batchpool.gateway.domain.WebServiceSpec;
import io.batchpool.gateway.rest.ApiException;
import io.batchpool.gateway.service.ModelCheck.CheckedModel;
import io.batchpool.gateway.store.AccountEntity;
import io.batchpool.gateway.store.WebServiceEntity;
import io.batchpool.gateway.store.WebServiceVersionEntity;
import io.batchpool.gateway.store.WebServiceVersionEntity.VersionInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The web service registry: services of an account, their API keys (stored as SHA-256) and every model version.
 * Models are checked before these transactions ({@link ModelCheck}); a rejection writes nothing.
 */
@ApplicationScoped
public class WebServiceService {
    private static final TypeReference<List<ModelInput>> INPUTS = new TypeReference<>() {
    };
    private static final TypeReference<List<StoredParameter>> PARAMETERS = new TypeReference<>() {
    };

    private final Clock clock;
    private final ObjectMapper json;
    private final OutboxWriter outbox;
    /**
     * BES calls authorized in the last {@link #AUTHORIZATION_TTL_NANOS}, by subscription/service/key hash: a client
     * polling or submitting in a burst costs no registry queries. Changes made through this gateway forget them at
     * once; another gateway instance's change takes effect here within the TTL.
     */
    private final java.util.Map<String, Authorized> authorized = new java.util.concurrent.ConcurrentHashMap<>();
    static final long AUTHORIZATION_TTL_NANOS = 1_000_000_000L;
    /** The authorization being checked per cache key, for the requests that arrive meanwhile. */
    private final java.util.Map<String, java.util.concurrent.CompletableFuture<ServiceView>> checking =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record Authorized(ServiceView view, long at) {
    }

    @Inject
    jakarta.transaction.TransactionSynchronizationRegistry transactions;

    @Inject
    public WebServiceService(Clock clock, ObjectMapper json, OutboxWriter outbox) {
        this.clock = clock;
        this.json = json;
        this.outbox = outbox;
    }

    /** A service as its owner sees it (never the model bytes). */
    public record ServiceView(WebServiceEntity service, VersionInfo version, List<ModelInput> inputs,
                              List<ServiceParameter> parameters) {
    }

    /** A view plus keys in clear: both at registration, the rotated one after a rotation, else null. */
    public record WithKeys(ServiceView view, String primaryKey, String secondaryKey) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StoredParameter(String name, @JsonProperty("default") String defaultValue) {
    }

    @Transactional
    public WithKeys register(String accountId, WebServiceSpec spec, CheckedModel model) {
        Instant now = now();
        String primary = AccountKeys.newKey();
        String secondary = AccountKeys.newKey();
        WebServiceEntity s = new WebServiceEntity();
        s.id = Ids.newId();
        s.accountId = accountId;
        s.name = spec.name();
        s.kind = spec.kind();
        s.billingPlanId = spec.billingPlanId();
        s.currentVersion = 1;
        s.primaryKeyHash = AccountKeys.hash(primary);
        s.secondaryKeyHash = AccountKeys.hash(secondary);
        s.deleted = false;
        s.createdAt = now;
        s.updatedAt = now;
        s.persist();
        List<StoredParameter> parameters = spec.parameters().stream()
                .map(p -> new StoredParameter(p.name(), p.defaultValue())).toList();
        VersionInfo version = addVersion(s, 1, model, write(parameters), now);
        return new WithKeys(view(s, version), primary, secondary);
    }

    @Transactional
    public List<ServiceView> list(String accountId) {
        return WebServiceEntity.listOf(accountId).stream()
                .map(s -> view(s, WebServiceVersionEntity.info(s.id, s.currentVersion))).toList();
    }

    @Transactional
    public ServiceView get(String accountId, String serviceId) {
        WebServiceEntity s = visible(accountId, serviceId, false);
        return view(s, WebServiceVersionEntity.info(s.id, s.currentVersion));
    }

    /** A new model version; parameters carry over. Jobs already submitted keep the version they named. */
    @Transactional
    public ServiceView updateModel(String accountId, String serviceId, CheckedModel model) {
        forgetAuthorizations();
        WebServiceEntity s = visible(accountId, serviceId, true);
        VersionInfo previous = WebServiceVersionEntity.info(s.id, s.currentVersion);
        Instant now = now();
        s.currentVersion = s.currentVersion + 1;
        s.updatedAt = now;
        return view(s, addVersion(s, s.currentVersion, model, previous.parameters(), now));
    }

    /** Replaces one key ({@code primary} or {@code secondary}); the old one stops working at once. */
    @Transactional
    public WithKeys rotateKey(String accountId, String serviceId, String which) {
        boolean primary = "primary".equals(which);
        if (!primary && !"secondary".equals(which)) {
            throw new ApiException(ErrorCode.InvalidRequest, "key must be primary or secondary");
        }
        forgetAuthorizations();
        WebServiceEntity s = visible(accountId, serviceId, true);
        String key = AccountKeys.newKey();
        if (primary) {
            s.primaryKeyHash = AccountKeys.hash(key);
        } else {
            s.secondaryKeyHash = AccountKeys.hash(key);
        }
        s.updatedAt = now();
        ServiceView view = view(s, WebServiceVersionEntity.info(s.id, s.currentVersion));
        return new WithKeys(view, primary ? key : null, primary ? null : key);
    }

    /** Marks the service deleted: its keys stop working; its versions stay for jobs that name them. */
    @Transactional
    public void delete(String accountId, String serviceId) {
        forgetAuthorizations();
        WebServiceEntity s = visible(accountId, serviceId, true);
        s.deleted = true;
        s.updatedAt = now();
    }

    /**
     * The service a swagger.json request names, if {@code key} is the account key of {@code subscriptionId} or one
     * of the service's API keys. A wrong key is 401 whether or not the service exists. A remembered authorization
     * costs no transaction; a new one is checked in one.
     */
    public ServiceView forClient(String subscriptionId, String serviceId, String key) {
        if (key == null) {
            throw new ApiException(ErrorCode.Unauthorized,
                    "missing Authorization: Bearer <web service API key or account key>");
        }
        String hash = AccountKeys.hash(key);
        String cacheKey = subscriptionId + "/" + serviceId + "/" + hash;
        Authorized cached = authorized.get(cacheKey);
        if (cached != null && System.nanoTime() - cached.at() < AUTHORIZATION_TTL_NANOS) {
            return cached.view();
        }
        // one check per key at a time: when a remembered authorization expires under load, the requests that find
        // it expired wait for the one that checks it again instead of each running the same queries
        java.util.concurrent.CompletableFuture<ServiceView> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<ServiceView> running = checking.putIfAbsent(cacheKey, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            ServiceView view = QuarkusTransaction.joiningExisting().call(() -> authorize(subscriptionId, serviceId, hash));
            if (authorized.size() > 10_000) {
                authorized.clear();
            }
            authorized.put(cacheKey, new Authorized(view, System.nanoTime()));
            mine.complete(view);
            return view;
        } catch (QuarkusTransactionException e) {
            RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
            mine.completeExceptionally(cause);
            throw cause;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            checking.remove(cacheKey, mine);
        }
    }

    /**
     * Forgets every remembered authorization: called when a key is rotated, a service deleted or its model updated
     * (here), or an account's key rotated or the account disabled ({@link AccountService}).
     */
    public void forgetAuthorizations() {
        authorized.clear();
        if (transactions != null && transactions.getTransactionKey() != null) {
            // and again once the change is committed: a request meanwhile may have remembered the old state
            transactions.registerInterposedSynchronization(new jakarta.transaction.Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    authorized.clear();
                }
            });
        }
    }

    private ServiceView authorize(String subscriptionId, String serviceId, String hash) {
        AccountEntity owner = AccountEntity.byKeyHash(hash).filter(a -> a.id.equals(subscriptionId)).orElse(null);
        WebServiceEntity s;
        if (owner != null) {
            s = visible(owner.id, serviceId, false);
        } else {
            WebServiceEntity candidate = Ids.isValid(serviceId) ? WebServiceEntity.findById(serviceId) : null;
            if (candidate == null || candidate.deleted || !candidate.accountId.equals(subscriptionId)
                    || !(AccountKeys.matches(hash, candidate.primaryKeyHash)
                    || AccountKeys.matches(hash, candidate.secondaryKeyHash))) {
                throw new ApiException(ErrorCode.Unauthorized, "the key is neither an API key of this web service "
                        + "nor the account key of its subscription");
            }
            s = candidate;
            owner = AccountEntity.findById(s.accountId);
        }
        if (owner.disabled) {
            throw new ApiException(ErrorCode.AccountDisabled, "account " + owner.id + " is disabled");
        }
        return view(s, WebServiceVersionEntity.info(s.id, s.currentVersion));
    }

    /**
     * The billing plan a pool created from {@code url} takes (DESIGN §1): the URL must name a web service of this
     * account (another account's or an unknown one is not found, alike); a classic service has no plan.
     */
    public String planOf(String accountId, ServiceUrl url) {
        WebServiceEntity s = url.subscriptionId().equals(accountId)
                ? WebServiceEntity.visible(accountId, url.serviceId(), false).orElse(null) : null;
        if (s == null) {
            throw notFound(url.serviceId(), url.subscriptionId());
        }
        if (s.kind == ServiceKind.CLASSIC) {
            throw new ApiException(ErrorCode.ClassicServiceHasNoPlan, "web service " + s.id + " is classic: it has "
                    + "no billing plan to give a pool. Create the pool with a billingPlanId (classic services run "
                    + "on any pool of the account), or use the swagger.json of a \"new\" web service");
        }
        return s.billingPlanId;
    }

    /** Stores a version and, in the same transaction, publishes its model to the VM agents (service-models topic). */
    private VersionInfo addVersion(WebServiceEntity service, int number, CheckedModel model, String parameters,
                                   Instant now) {
        WebServiceVersionEntity v = new WebServiceVersionEntity();
        v.serviceId = service.id;
        v.version = number;
        v.model = model.bytes();
        v.modelSha256 = model.sha256();
        v.inputSchema = write(model.inputs());
        v.parameters = parameters;
        v.createdAt = now;
        v.persist();
        outbox.record(ModelPublished.of(service.id, service.accountId, number, model.sha256(), model.bytes()), number, now);
        return new VersionInfo(number, v.modelSha256, v.inputSchema, v.parameters, now);
    }

    private ServiceView view(WebServiceEntity s, VersionInfo version) {
        try {
            List<ModelInput> inputs = json.readValue(version.inputSchema(), INPUTS);
            List<ServiceParameter> parameters = json.readValue(version.parameters(), PARAMETERS).stream()
                    .map(p -> new ServiceParameter(p.name(), p.defaultValue())).toList();
            return new ServiceView(s, version, inputs, parameters);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON of web service " + s.id + " is unreadable", e);
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static WebServiceEntity visible(String accountId, String serviceId, boolean lock) {
        if (!Ids.isValid(serviceId)) {
            throw notFound(serviceId, accountId);
        }
        return WebServiceEntity.visible(accountId, serviceId, lock).orElseThrow(() -> notFound(serviceId, accountId));
    }

    private static ApiException notFound(String serviceId, String subscriptionId) {
        return new ApiException(ErrorCode.WebServiceNotFound, Ids.isValid(serviceId)
                ? "no web service " + serviceId + " in subscription " + subscriptionId
                : "no such web service (ids are 32 lowercase hex characters)");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
