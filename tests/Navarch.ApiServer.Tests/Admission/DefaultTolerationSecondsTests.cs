using System.Text.Json.Nodes;
using Navarch.ApiServer.Tests.Hosting;
using static Navarch.ApiServer.Tests.Admission.AdmissionJson;

namespace Navarch.ApiServer.Tests.Admission;

/// <summary>The DefaultTolerationSeconds admission plugin over HTTPS.</summary>
public sealed class DefaultTolerationSecondsTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private static List<(string? Key, string? Operator, string? Effect, long? Seconds)> Tolerations(JsonNode pod) =>
        pod["spec"]!["tolerations"]!.AsArray()
            .Select(t => ((string?)t!["key"], (string?)t["operator"], (string?)t["effect"], (long?)t["tolerationSeconds"]))
            .ToList();

    [Fact]
    public async Task CreatePod_GetsNotReadyAndUnreachableTolerationsForFiveMinutes()
    {
        var (code, pod) = await server.SendAsync(HttpMethod.Post, Pods, Pod("tolerant"));

        Assert.Equal(201, code);
        Assert.Equal(
            [("node.kubernetes.io/not-ready", "Exists", "NoExecute", 300L), ("node.kubernetes.io/unreachable", "Exists", "NoExecute", 300L)],
            Tolerations(pod!));
    }

    [Fact]
    public async Task CreatePod_ThatToleratesNotReady_KeepsItsOwnAndGetsOnlyUnreachable()
    {
        var own = "\"tolerations\":[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":5}]";

        var (code, pod) = await server.SendAsync(HttpMethod.Post, Pods, Pod("own-toleration", own));

        Assert.Equal(201, code);
        Assert.Equal(
            [("node.kubernetes.io/not-ready", "Exists", "NoExecute", 5L), ("node.kubernetes.io/unreachable", "Exists", "NoExecute", 300L)],
            Tolerations(pod!));
    }

    [Fact]
    public async Task UpdatePod_DoesNotAddTheTolerationsAgain()
    {
        var (_, created) = await server.SendAsync(HttpMethod.Post, Pods, Pod("updated"));
        created!["metadata"]!["labels"] = new JsonObject { ["again"] = "yes" };

        var (code, updated) = await server.SendAsync(HttpMethod.Put, Pods + "/updated", created.ToJsonString());

        Assert.Equal(200, code);
        Assert.Equal(2, Tolerations(updated!).Count);
    }
}
