using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client;
using Navarch.Scheduler.Config;
using Navarch.Scheduler.Hosting;

namespace Navarch.Scheduler.Tests.Integration.Hosting;

/// <summary>The scheduler's HTTPS endpoint (kube-scheduler's :10259) answers health probes and serves its metrics.</summary>
[Collection(HostingCollection.Name)]
public sealed class HealthAndMetricsTests(ClusterFixture cluster)
{
    [Fact]
    public async Task SecurePort_AnswersHealthAndCountsAttemptsInMetrics()
    {
        var id = Cluster.Unique();
        var ns = await cluster.NamespaceAsync("metrics");
        var pool = new Dictionary<string, string> { ["hosting-test/pool"] = $"metrics-{id}" };
        await Cluster.CreateNodeAsync(cluster.Admin, $"metrics-{id}", "4", "8Gi", pool);

        // A profile name of its own, so pods other tests left behind are not this scheduler's and the counts are exact.
        var profile = $"metrics-{id}";
        var port = Cluster.FreePort();
        await using var host = new SchedulerHost(
            new SchedulerHostOptions
            {
                Configuration = SchedulerConfiguration.Default with
                {
                    Profiles = [new SchedulerProfile { SchedulerName = profile }],
                    LeaderElection = new LeaderElectionConfiguration { LeaderElect = false },
                },
                Serving = new() { SecurePort = port },
                RateLimit = ClientRateLimit.Unlimited,
            },
            cluster.ClientFor("system:kube-scheduler"),
            NullLoggerFactory.Instance,
            TimeProvider.System);
        using var http = new HttpClient(new HttpClientHandler
        {
            // The component serves a self-signed certificate, as kube-scheduler does without --tls-cert-file.
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        });
        try
        {
            await host.StartAsync(CancellationToken.None);
            Assert.Equal(new Uri($"https://127.0.0.1:{port}/"), host.HealthUrl);
            foreach (var path in new[] { "healthz", "livez", "readyz" })
            {
                var health = await Cluster.UntilAsync(
                    () => GetAsync(http, new Uri(host.HealthUrl!, path)),
                    r => r.Status == HttpStatusCode.OK,
                    $"/{path} to answer 200",
                    r => $"{(int)r.Status} {r.Body}");
                Assert.Equal("ok", health.Body);
            }

            await Cluster.CreatePodAsync(cluster.Admin, ns, "fits", pool, schedulerName: profile);
            await Cluster.WaitForNodeAsync(cluster.Admin, ns, "fits");
            await MetricsUntilAsync(http, host, "scheduler_schedule_attempts_total{result=\"scheduled\"} 1");
            // The durations are observed just after the counter goes up; the end-to-end one last.
            var metrics = await MetricsUntilAsync(http, host, "scheduler_pod_scheduling_sli_duration_seconds_count 1");
            Assert.Contains("\nscheduler_schedule_attempts_total{result=\"scheduled\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("\nscheduler_schedule_attempts_total{result=\"unschedulable\"} 0\n", metrics, StringComparison.Ordinal);
            Assert.Contains("\nleader_election_master_status{name=\"kube-scheduler\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("\nscheduler_scheduling_attempt_duration_seconds_bucket{le=\"+Inf\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("\nscheduler_scheduling_attempt_duration_seconds_count 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("\nscheduler_pod_scheduling_sli_duration_seconds_count 1\n", metrics, StringComparison.Ordinal);

            var nowhere = new Dictionary<string, string> { ["hosting-test/pool"] = $"nowhere-{id}" };
            await Cluster.CreatePodAsync(cluster.Admin, ns, "fits-nowhere", nowhere, schedulerName: profile);
            // The queue gauge and the attempt counters are updated one after the other, so each is awaited on its own.
            await MetricsUntilAsync(http, host, "scheduler_pending_pods{queue=\"unschedulable\"} 1");
            await MetricsUntilAsync(http, host, "scheduler_schedule_attempts_total{result=\"unschedulable\"} 1");
            metrics = await MetricsUntilAsync(http, host, "scheduler_scheduling_attempt_duration_seconds_count 2");
            Assert.Contains("\nscheduler_schedule_attempts_total{result=\"scheduled\"} 1\n", metrics, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
            await Cluster.DeletePodsAsync(cluster.Admin, ns);
        }
    }

    private static async Task<string> MetricsUntilAsync(HttpClient http, SchedulerHost host, string line)
    {
        var response = await Cluster.UntilAsync(
            () => GetAsync(http, new Uri(host.HealthUrl!, "metrics")),
            r => r.Status == HttpStatusCode.OK && r.Body.Split('\n').Contains(line),
            $"a metrics line '{line}'",
            r => $"{(int)r.Status}\n{r.Body}");
        return response.Body;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, Uri url)
    {
        using var response = await http.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
