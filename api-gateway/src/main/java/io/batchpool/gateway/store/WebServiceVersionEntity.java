package io.batchpool.gateway.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One version of a web service's model, never changed once written (a job keeps the version it was submitted
 * with). Reads that do not need the model bytes use {@link VersionInfo} instead of loading this entity.
 */
@Entity
@Table(name = "web_service_version")
public class WebServiceVersionEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "service_id")
    public String serviceId;
    public int version;
    public byte[] model;
    @Column(name = "model_sha256")
    public String modelSha256;
    /** JSON text, see the V2 migration. */
    @Column(name = "input_schema")
    public String inputSchema;
    /** JSON text, see the V2 migration. */
    public String parameters;
    @Column(name = "created_at")
    public Instant createdAt;

    /** A version without its model bytes. */
    public record VersionInfo(int version, String modelSha256, String inputSchema, String parameters, Instant createdAt) {
    }

    public static VersionInfo info(String serviceId, int version) {
        Object[] row = getEntityManager().createQuery("select v.version, v.modelSha256, v.inputSchema, v.parameters, "
                        + "v.createdAt from WebServiceVersionEntity v where v.serviceId = :s and v.version = :v", Object[].class)
                .setParameter("s", serviceId).setParameter("v", version).getSingleResult();
        return new VersionInfo((Integer) row[0], (String) row[1], (String) row[2], (String) row[3], (Instant) row[4]);
    }
}
