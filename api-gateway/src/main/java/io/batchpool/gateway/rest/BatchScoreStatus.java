package io.batchpool.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.batchpool.blob.SecretCipher;
import io.batchpool.contracts.job.JobState;
import io.batchpool.contracts.job.ResultLocation;
import io.batchpool.gateway.domain.JobRecord;
import io.batchpool.gateway.service.LocalFiles;
import io.batchpool.gateway.store.JobEntity;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * BES BatchScoreStatus: {@code StatusCode}, {@code Results}, {@code Details} exactly as Azure ML classic wrote them,
 * then our extensions (clients ignore unknown fields): {@code JobId}, {@code State} (the dispatcher's finer state, or
 * what this gateway accepted when the view lags: {@link JobRecord#shownState()}, {@code Cancelling}),
 * {@code QueuePosition} while queued (1 = next), {@code AzureBatchPoolId}, {@code ServiceVersion}, {@code Attempt},
 * {@code RowsScored} and the times {@code CreatedAt}, {@code StartTime}, {@code EndTime}.
 */
public final class BatchScoreStatus {
    private static final TypeReference<Map<String, ResultLocation>> RESULTS = new TypeReference<>() {
    };

    private BatchScoreStatus() {
    }

    /**
     * @param cipher     opens the Results tokens, which are sealed on Kafka and in the view
     * @param localFiles signs a fresh download URL for each output stored as a local file
     */
    public static Map<String, Object> of(JobEntity job, long queuePosition, ObjectMapper json, SecretCipher cipher,
                                         LocalFiles localFiles) {
        JobRecord accepted = job.toRecord();
        JobState shown = accepted.shownState();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("StatusCode", shown.wireStatus());
        s.put("Results", results(job, json, cipher, localFiles));
        s.put("Details", job.details);
        s.put("JobId", job.id);
        s.put("State", accepted.cancelling() ? "Cancelling" : title(shown));
        if (shown == JobState.QUEUED) {
            s.put("QueuePosition", queuePosition);
        }
        s.put("AzureBatchPoolId", job.poolId);
        s.put("ServiceVersion", job.serviceVersion);
        s.put("Attempt", job.attempt);
        s.put("RowsScored", job.rowsScored);
        s.put("CreatedAt", job.createdAt == null ? null : job.createdAt.toString());
        s.put("StartTime", job.startedAt == null ? null : job.startedAt.toString());
        s.put("EndTime", job.endedAt == null ? null : job.endedAt.toString());
        return s;
    }

    /** Output name to AzureBlobDataReference: a client downloads {@code BaseLocation + RelativeLocation + SasBlobToken}. */
    private static Map<String, Object> results(JobEntity job, ObjectMapper json, SecretCipher cipher,
                                               LocalFiles localFiles) {
        if (job.results == null) {
            return null;
        }
        Map<String, ResultLocation> stored;
        try {
            stored = json.readValue(job.results, RESULTS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored results of job " + job.id + " are unreadable", e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        stored.forEach((name, loc) -> {
            if (loc.pointsToLocalFile()) { // served by this gateway at a signed URL
                out.put(name, localFiles.result(job.accountId, loc.relativeLocation()));
                return;
            }
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("ConnectionString", null);
            ref.put("RelativeLocation", loc.relativeLocation());
            ref.put("BaseLocation", loc.baseLocation());
            String token = loc.sasBlobToken();
            ref.put("SasBlobToken", SecretCipher.isEncrypted(token) ? cipher.decrypt(token) : token);
            out.put(name, ref);
        });
        return out;
    }

    private static String title(JobState state) {
        String n = state.name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }
}
