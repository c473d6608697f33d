using k8s;
using k8s.Models;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Admission.DefaultTolerationSeconds;
using Navarch.ApiServer.Admission.Priority;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Admission;

/// <summary>The plugins and the chain on their own, for cases the kind's defaulting would hide over HTTP.</summary>
public sealed class AdmissionPluginTests
{
    private static readonly ResourceRegistry Registry = ResourceRegistry.CreateDefault();

    private static AdmissionRequest Request(IKubernetesObject<V1ObjectMeta> obj, string resource = "pods", string group = "", string? subresource = null) =>
        new(AdmissionOperation.Create, Registry.Find(group, "v1", resource)!, subresource, "default", obj.Metadata.Name, obj, null, DryRun: false);

    private static V1Pod Pod(params V1Toleration[] tolerations) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }], Tolerations = [.. tolerations] },
    };

    [Fact]
    public async Task DefaultTolerationSeconds_PodToleratingEveryTaint_GetsNothing()
    {
        var pod = Pod(new V1Toleration { OperatorProperty = "Exists" });

        await new DefaultTolerationSecondsAdmission().AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Single(pod.Spec.Tolerations);
    }

    [Fact]
    public async Task DefaultTolerationSeconds_NoScheduleToleration_DoesNotCount()
    {
        var pod = Pod(new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoSchedule" });

        await new DefaultTolerationSecondsAdmission().AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Equal(["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"],
            pod.Spec.Tolerations.Select(t => t.Key));
    }

    [Fact]
    public async Task DefaultTolerationSeconds_Subresource_IsLeftAlone()
    {
        var pod = Pod();

        await new DefaultTolerationSecondsAdmission().AdmitAsync(Request(pod, subresource: "status"), CancellationToken.None);

        Assert.Empty(pod.Spec.Tolerations);
    }

    [Fact]
    public async Task Priority_SeveralGlobalDefaults_TakesTheLowestValue()
    {
        var lister = new FixedLister(
            new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "high" }, Value = 900, GlobalDefault = true, PreemptionPolicy = "Never" },
            new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "low" }, Value = 100, GlobalDefault = true, PreemptionPolicy = "Never" });
        var pod = Pod();

        await new PriorityAdmission(lister).AdmitAsync(Request(pod), CancellationToken.None);

        Assert.Equal((100, "low", "Never"), (pod.Spec.Priority!.Value, pod.Spec.PriorityClassName, pod.Spec.PreemptionPolicy));
    }

    [Fact]
    public async Task Priority_ExplicitPreemptionPolicyDifferentFromTheClass_IsForbidden()
    {
        var lister = new FixedLister(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "c" }, Value = 1, PreemptionPolicy = "Never" });
        var pod = Pod();
        pod.Spec.PriorityClassName = "c";
        pod.Spec.PreemptionPolicy = "PreemptLowerPriority";

        var error = await Assert.ThrowsAsync<Errors.ApiException>(() => new PriorityAdmission(lister).AdmitAsync(Request(pod), CancellationToken.None).AsTask());

        Assert.Equal(403, error.Code);
        Assert.Equal("pods \"p\" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; "
            + "priority admission controller computed Never from the given PriorityClass name", error.Message);
    }

    [Fact]
    public async Task Chain_RunsMutatingPluginsInOrder_AndStopsAtTheFirstRejection()
    {
        var calls = new List<string>();
        var chain = new AdmissionChain(
            [new Recording("first", calls, fail: false), new Recording("second", calls, fail: true), new Recording("third", calls, fail: false)],
            []);

        await Assert.ThrowsAsync<Errors.ApiException>(() => chain.MutateAsync(Request(Pod()), CancellationToken.None).AsTask());

        Assert.Equal(["first", "second"], calls);
    }

    private sealed class FixedLister(params V1PriorityClass[] classes) : IPriorityClassLister
    {
        public ValueTask<V1PriorityClass?> GetAsync(string name, CancellationToken cancellationToken) =>
            ValueTask.FromResult(classes.FirstOrDefault(c => c.Metadata.Name == name));

        public ValueTask<IReadOnlyList<V1PriorityClass>> ListAsync(bool consistent, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<V1PriorityClass>>(classes);
    }

    private sealed class Recording(string name, List<string> calls, bool fail) : IMutatingAdmission
    {
        public string Name => name;

        public ValueTask AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
        {
            calls.Add(name);
            return fail ? throw request.Forbidden("no") : ValueTask.CompletedTask;
        }
    }
}
