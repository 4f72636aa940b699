package io.batchpool.agent;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.batchpool.blob.BlobReference;
import io.batchpool.blob.BlobStore;
import io.batchpool.blob.SecretCipher;
import io.batchpool.blob.SharedAzurite;
import io.batchpool.contracts.Envelope;
import io.batchpool.contracts.EventCodec;
import io.batchpool.contracts.Ids;
import io.batchpool.contracts.Topics;
import io.batchpool.contracts.job.AssignJob;
import io.batchpool.contracts.job.Assignment;
import io.batchpool.contracts.job.BlobLocation;
import io.batchpool.contracts.job.JobReport;
import io.batchpool.contracts.job.JobSpec;
import io.batchpool.contracts.service.ModelPublished;
import io.batchpool.contracts.service.ServiceModelEvent;
import io.batchpool.contracts.vm.DeprovisionVm;
import io.batchpool.contracts.vm.ProvisionVm;
import io.batchpool.contracts.vm.ProvisionerCommand;
import io.batchpool.contracts.vm.VmBooted;
import io.batchpool.contracts.vm.VmStopped;
import io.batchpool.kit.KafkaClients;
import io.batchpool.testkit.SharedBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * What the job tests do as job-dispatcher, pool-manager and api-gateway would: provision VMs, upload inputs, send
 * assignments, publish models, and read the attempt reports. One producer for the whole test JVM.
 */
final class JobFixture {
    static final String CONTAINER = "vm-agent-jobs";
    static final EventCodec<ProvisionerCommand> COMMANDS = new EventCodec<>(ProvisionerCommand.class);
    static final EventCodec<Assignment> ASSIGNMENTS = new EventCodec<>(Assignment.class);
    static final EventCodec<JobReport> REPORTS = new EventCodec<>(JobReport.class);
    static final EventCodec<ServiceModelEvent> MODELS = new EventCodec<>(ServiceModelEvent.class);

    /** Rows of {@link #largeInput()}: enough that scoring is still running when a test reacts to its progress. */
    static final int LARGE_ROWS = 400_000;

    private static KafkaProducer<String, byte[]> producer;
    private static BlobStore store;
    private static String largeInput;

    private JobFixture() {
    }

    record Vm(String id, String pool) {
    }

    static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = KafkaClients.producer(SharedBroker.bootstrap(), "vm-agent-test-jobs");
            // model records are larger than the 1 MiB default request
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
            producer = new KafkaProducer<>(props);
            Runtime.getRuntime().addShutdownHook(new Thread(producer::close));
        }
        return producer;
    }

    static synchronized BlobStore store() {
        if (store == null) {
            store = new BlobStore(SharedAzurite.policy());
            store.createContainerIfMissing(ref(CONTAINER + "/any"));
        }
        return store;
    }

    /** Waits until the agent under test is ready (its consumers assigned, the model topic read). */
    static void awaitReady() {
        org.awaitility.Awaitility.await().atMost(60, java.util.concurrent.TimeUnit.SECONDS)
                .pollInterval(java.time.Duration.ofMillis(200)).untilAsserted(() ->
                        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200));
    }

    static Path modelDir() {
        return Path.of(ConfigProvider.getConfig().getValue("batchpool.vm-agent.model-dir", String.class));
    }

    static SecretCipher cipher() {
        return SecretCipher.fromBase64Key(ConfigProvider.getConfig().getValue("batchpool.secrets.key", String.class));
    }

    static BlobReference ref(String relative) {
        return BlobReference.parse(SharedAzurite.developmentStorageConnectionString(), null, relative, null,
                SharedAzurite.policy());
    }

    static void upload(String relative, InputStream csv) throws Exception {
        io.batchpool.blob.StagedBlob staged = store().openWrite(ref(relative), "upload");
        try (InputStream in = csv; OutputStream out = staged) {
            in.transferTo(out);
        }
        staged.commit();
    }

    /** An input of {@link #LARGE_ROWS} rows, uploaded once per test JVM (inputs are only read). */
    static synchronized String largeInput() throws Exception {
        if (largeInput == null) {
            String input = CONTAINER + "/" + Ids.newId() + "/large.csv";
            upload(input, io.batchpool.scoring.fixtures.AdultCensusData.csv(LARGE_ROWS));
            largeInput = input;
        }
        return largeInput;
    }

    /** The test container with the account key, to see what a reader of it sees. */
    static BlobContainerClient container() {
        store(); // creates the container
        return new BlobServiceClientBuilder().connectionString(SharedAzurite.connectionString())
                .buildClient().getBlobContainerClient(CONTAINER);
    }

    /** The names of the (committed, visible) blobs in the test container under a prefix, sorted. */
    static List<String> blobNames(String prefix) {
        return container().listBlobs(new ListBlobsOptions().setPrefix(prefix), null).stream()
                .map(BlobItem::getName).sorted().toList();
    }

    /** The visible blobs in the folder of {@code relative} ({@code container/folder/name}), sorted by name. */
    static List<String> blobsBeside(String relative) {
        String blob = relative.substring(CONTAINER.length() + 1);
        return blobNames(blob.substring(0, blob.lastIndexOf('/') + 1));
    }

    /** How many uncommitted blocks an attempt staged on a blob ({@code container/name}): invisible to readers. */
    static long stagedBlocks(String relative, String attemptId) {
        try {
            return container().getBlobClient(relative.substring(CONTAINER.length() + 1)).getBlockBlobClient()
                    .listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks().stream()
                    .map(b -> new String(java.util.Base64.getDecoder().decode(b.getName()),
                            java.nio.charset.StandardCharsets.US_ASCII))
                    .filter(id -> id.startsWith(attemptId + ".")).count();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return 0;
            }
            throw e;
        }
    }

    static boolean exists(String relative) {
        return store().exists(ref(relative));
    }

    static Vm provision() {
        Vm vm = new Vm(Ids.newId(), Ids.newId());
        try (LocalProvisionerTest.ReportReader reader = new LocalProvisionerTest.ReportReader(vm.id)) {
            sendCommand(new ProvisionVm(vm.id, vm.pool, 2));
            await().atMost(30, TimeUnit.SECONDS).until(() -> reader.poll().stream()
                    .anyMatch(r -> r.value().data() instanceof VmBooted));
        }
        return vm;
    }

    static void deprovision(Vm vm) {
        sendCommand(new DeprovisionVm(vm.id, vm.pool));
    }

    /** Deprovisions and waits for the VM's VmStopped. */
    static void deprovisionAndAwaitStopped(Vm vm) {
        try (LocalProvisionerTest.ReportReader reader = new LocalProvisionerTest.ReportReader(vm.id)) {
            deprovision(vm);
            await().atMost(30, TimeUnit.SECONDS).until(() -> reader.poll().stream()
                    .anyMatch(r -> r.value().data() instanceof VmStopped));
        }
    }

    /** Input and output by {@code UseDevelopmentStorage=true}, sealed as the gateway seals them. */
    static BlobLocation developmentStorage(String relative) {
        return new BlobLocation(BlobLocation.Kind.CONNECTION_STRING, SharedAzurite.endpoint().toString(), relative,
                cipher().encrypt(SharedAzurite.developmentStorageConnectionString()));
    }

    static void assign(Vm vm, String job, int attempt, String service, String input, String output,
                       Duration maxRunTime) {
        assign(vm, job, attempt, service, developmentStorage(input), developmentStorage(output), maxRunTime);
    }

    static void assign(Vm vm, String job, int attempt, String service, BlobLocation in, BlobLocation out,
                       Duration maxRunTime) {
        assign(vm, job, attempt, service, Ids.newId(), in, out, maxRunTime);
    }

    static void assign(Vm vm, String job, int attempt, String service, String accountId, BlobLocation in,
                       BlobLocation out, Duration maxRunTime) {
        JobSpec spec = new JobSpec(job, accountId, service, 1, vm.pool, Map.of("input1", in),
                Map.of("output1", out), Map.of(), maxRunTime);
        send(new AssignJob(vm.id, job, attempt, spec));
    }

    static void send(Assignment assignment) {
        sendAndWait(new ProducerRecord<>(Topics.ASSIGNMENTS, assignment.vmId(),
                ASSIGNMENTS.encode(Envelope.of(assignment, 1, Instant.now()))));
    }

    static void sendCommand(ProvisionerCommand command) {
        sendAndWait(new ProducerRecord<>(Topics.PROVISIONER_COMMANDS, command.vmId(),
                COMMANDS.encode(Envelope.of(command, 1, Instant.now()))));
    }

    /** Publishes version {@code version} of a web service's model as api-gateway does (key serviceId:version). */
    static void publishModel(String serviceId, int version, byte[] model) {
        ModelPublished published = ModelPublished.of(serviceId, Ids.newId(), version, sha256(model), model);
        sendAndWait(new ProducerRecord<>(Topics.SERVICE_MODELS, published.key(),
                MODELS.encode(Envelope.of(published, version, Instant.now()))));
    }

    static void sendAndWait(ProducerRecord<String, byte[]> record) {
        try {
            producer().send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reports of one job published from now on (positioned at the end before anything is sent). */
    static final class JobReader implements AutoCloseable {
        private final String jobId;
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<TopicPartition> partitions;
        private final List<ConsumerRecord<String, Envelope<JobReport>>> records = new ArrayList<>();

        JobReader(String jobId) {
            this.jobId = jobId;
            consumer = new KafkaConsumer<>(KafkaClients.consumer(SharedBroker.bootstrap(), null, "jobs-" + jobId));
            partitions = consumer.partitionsFor(Topics.JOB_REPORTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        void poll() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                Envelope<JobReport> report = REPORTS.decode(r.value());
                if (report.data().jobId().equals(jobId)) {
                    records.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), report));
                }
            }
        }

        /** Reads every report on the topic up to its current end. */
        void drain() {
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(30, TimeUnit.SECONDS).pollDelay(Duration.ZERO).until(() -> {
                poll();
                return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }

        <T extends JobReport> T awaitReport(Class<T> type) {
            await().atMost(30, TimeUnit.SECONDS).pollDelay(Duration.ZERO).until(() -> {
                poll();
                return seen().stream().anyMatch(type::isInstance);
            });
            return seen().stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
        }

        List<JobReport> seen() {
            return records.stream().map(r -> r.value().data()).toList();
        }

        List<ConsumerRecord<String, Envelope<JobReport>>> records() {
            return List.copyOf(records);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
