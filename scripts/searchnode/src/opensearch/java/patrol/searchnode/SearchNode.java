package patrol.searchnode;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.codelibs.opensearch.runner.node.OpenSearchRunnerNode;
import org.opensearch.Version;
import org.opensearch.action.admin.cluster.health.ClusterHealthResponse;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * Starts one OpenSearch node inside this JVM: loopback only, single-node discovery,
 * the standard modules loaded as classpath plugins (there is no distribution directory).
 *
 * <p>Usage: {@code SearchNode --port N --data DIR}. {@code --port 0} lets the OS choose.
 * Prints {@code SEARCHNODE READY http://127.0.0.1:PORT opensearch VERSION} once the cluster
 * is at least yellow; SIGTERM closes the node (flushes shards) before the JVM exits.
 */
public final class SearchNode {

    // The modules a distribution would load from modules/; here they are plain jars.
    private static final List<Class<? extends Plugin>> MODULES = List.of(
            org.opensearch.transport.Netty4Plugin.class,
            org.opensearch.analysis.common.CommonAnalysisPlugin.class,
            org.opensearch.index.mapper.MapperExtrasPlugin.class,
            org.opensearch.painless.PainlessPlugin.class,
            org.opensearch.script.mustache.MustachePlugin.class,
            org.opensearch.script.expression.ExpressionPlugin.class,
            org.opensearch.index.reindex.ReindexPlugin.class,
            org.opensearch.ingest.common.IngestCommonPlugin.class,
            org.opensearch.join.ParentJoinPlugin.class,
            org.opensearch.percolator.PercolatorPlugin.class,
            org.opensearch.index.rankeval.RankEvalPlugin.class,
            org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin.class);

    private static final String LOG4J2 = String.join("\n",
            "status = error",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%c{1.}] %m%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.console.ref = console",
            "");

    private SearchNode() {
    }

    public static void main(String[] args) throws Exception {
        // Log4j's own shutdown hook would race ours and drop the node's closing log lines.
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.disable.jmx", "true");
        // LogConfigurator redirects System.out into a logger; keep the real one for our markers.
        PrintStream out = System.out;
        int port = -1;
        Path dir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--data" -> dir = Path.of(args[i + 1]).toAbsolutePath();
                default -> usage("unknown option " + args[i]);
            }
        }
        if (port < 0 || dir == null || args.length % 2 != 0) {
            usage("--port and --data are required");
        }

        Path home = dir.resolve("home");
        Path config = home.resolve("config");
        for (Path p : List.of(config, home.resolve("modules"), home.resolve("plugins"))) {
            Files.createDirectories(p);
        }
        Settings settings = Settings.builder()
                .put("cluster.name", "patrol-searchnode")
                .put("node.name", "searchnode")
                .put("path.home", home.toString())
                .put("path.data", dir.resolve("data").toString())
                .put("path.logs", dir.resolve("logs").toString())
                .put("network.host", "127.0.0.1")
                .put("http.port", port)
                // Ephemeral transport port: nothing connects to it, and a fixed range could
                // collide with other nodes started in parallel on this machine.
                .put("transport.port", 0)
                .put("discovery.type", "single-node")
                // Test machines often have full-ish disks; watermarks would leave shards unassigned.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), config, () -> "searchnode");
        // Console logging only: the caller captures stdout into its own log file.
        Files.writeString(config.resolve("log4j2.properties"), LOG4J2);
        LogConfigurator.registerErrorListener();
        LogConfigurator.configure(env);

        CountDownLatch closed = new CountDownLatch(1);
        try {
            // Constructed inside the try: a held data-dir lock or a bad setting fails here.
            Node node = new OpenSearchRunnerNode(env, MODULES);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    node.close();
                    node.awaitClose(30, TimeUnit.SECONDS);
                    out.println("SEARCHNODE STOPPED");
                    out.flush();
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    closed.countDown();
                }
            }, "searchnode-shutdown"));
            node.start();
            ClusterHealthResponse health = node.client().admin().cluster().prepareHealth()
                    .setWaitForYellowStatus().setTimeout("120s").get();
            if (health.isTimedOut()) {
                throw new IllegalStateException("cluster not yellow after 120s: " + health.getStatus());
            }
            int bound = node.injector().getInstance(HttpServerTransport.class)
                    .boundAddress().publishAddress().getPort();
            out.println("SEARCHNODE READY http://127.0.0.1:" + bound + " opensearch " + Version.CURRENT
                    + " " + health.getStatus());
            out.flush();
        } catch (Throwable t) {
            out.println("SEARCHNODE FAILED " + t);
            t.printStackTrace();
            System.exit(1);
        }
        closed.await();
    }

    private static void usage(String why) {
        System.err.println("SEARCHNODE FAILED " + why + "; usage: SearchNode --port N --data DIR");
        System.exit(2);
    }
}
