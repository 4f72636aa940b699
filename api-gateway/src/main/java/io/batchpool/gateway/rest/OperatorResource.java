package io.batchpool.gateway.rest;

import io.batchpool.gateway.config.GatewayConfig;
import io.batchpool.gateway.domain.AccountLimits;
import io.batchpool.gateway.domain.ErrorCode;
import io.batchpool.gateway.domain.PoolSpec;
import io.batchpool.gateway.rest.Dtos.CreateAccountRequest;
import io.batchpool.gateway.rest.Dtos.UpdateAccountRequest;
import io.batchpool.gateway.service.AccountService;
import io.batchpool.gateway.service.AccountService.AccountWithUsage;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** The operator's front door: accounts, quotas, keys. Authenticated by the operator key ({@link AuthFilter}). */
@OperatorApi
@Path("/operator/accounts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Operator")
public class OperatorResource {
    private final AccountService accounts;
    private final GatewayConfig config;

    @Inject
    public OperatorResource(AccountService accounts, GatewayConfig config) {
        this.accounts = accounts;
        this.config = config;
    }

    @POST
    @Operation(summary = "Create an account; the answer carries its authorization key, shown only here")
    public Response create(CreateAccountRequest body) {
        if (body == null) {
            throw new ApiException(ErrorCode.InvalidRequest, "a JSON body {name, maxPools, maxVmsPerPool} is required");
        }
        if (body.name() == null) {
            throw new ApiException(ErrorCode.InvalidRequest, "name is required");
        }
        PoolSpec.checkText("name", body.name(), 200).ifPresent(r -> {
            throw new ApiException(r);
        });
        if (body.maxPools() == null || body.maxVmsPerPool() == null) {
            throw new ApiException(ErrorCode.InvalidRequest, "maxPools and maxVmsPerPool are required");
        }
        AccountLimits.validate(body.maxPools(), body.maxVmsPerPool()).ifPresent(r -> {
            throw new ApiException(r);
        });
        AccountService.Created created = accounts.create(body.name(),
                new AccountLimits(body.maxPools(), body.maxVmsPerPool()));
        AccountResponse response = AccountResponse.of(created.account(), config.publicUrl(), created.key());
        return Response.created(PublicUrls.of(config.publicUrl(), "/operator/accounts/" + response.accountId())).entity(response).build();
    }

    @GET
    @Operation(summary = "List all accounts with their usage")
    public List<AccountResponse> list() {
        return accounts.list().stream().map(a -> AccountResponse.of(a, config.publicUrl(), null)).toList();
    }

    @GET
    @Path("/{accountId}")
    @Operation(summary = "Get an account with its usage (pools, VMs targeted)")
    public AccountResponse get(@PathParam("accountId") String accountId) {
        return AccountResponse.of(accounts.get(accountId), config.publicUrl(), null);
    }

    @PATCH
    @Path("/{accountId}")
    @Operation(summary = "Change quotas (maxPools, maxVmsPerPool); existing pools are kept when lowered")
    public AccountResponse update(@PathParam("accountId") String accountId, UpdateAccountRequest body) {
        if (body == null || (body.maxPools() == null && body.maxVmsPerPool() == null)) {
            throw new ApiException(ErrorCode.InvalidRequest, "give maxPools and/or maxVmsPerPool");
        }
        AccountLimits.validate(body.maxPools(), body.maxVmsPerPool()).ifPresent(r -> {
            throw new ApiException(r);
        });
        AccountWithUsage updated = accounts.updateLimits(accountId, body.maxPools(), body.maxVmsPerPool());
        return AccountResponse.of(updated, config.publicUrl(), null);
    }

    @POST
    @Path("/{accountId}/rotate-key")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Issue a new authorization key; the old one stops working at once")
    public AccountResponse rotateKey(@PathParam("accountId") String accountId) {
        AccountService.Created rotated = accounts.rotateKey(accountId);
        return AccountResponse.of(rotated.account(), config.publicUrl(), rotated.key());
    }

    @POST
    @Path("/{accountId}/disable")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Disable the account: its key gets 403 AccountDisabled; pools are kept")
    public AccountResponse disable(@PathParam("accountId") String accountId) {
        return AccountResponse.of(accounts.setDisabled(accountId, true), config.publicUrl(), null);
    }

    @POST
    @Path("/{accountId}/enable")
    @Consumes(MediaType.WILDCARD) // takes no body
    @Operation(summary = "Enable a disabled account")
    public AccountResponse enable(@PathParam("accountId") String accountId) {
        return AccountResponse.of(accounts.setDisabled(accountId, false), config.publicUrl(), null);
    }
}
