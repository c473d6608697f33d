using k8s.Models;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Kinds;
using static Navarch.ApiServer.Tests.Registry.StrategyTestHelpers;

namespace Navarch.ApiServer.Tests.Registry;

public sealed class PodEphemeralContainersStrategyTests
{
    private readonly IResourceStrategy _strategy = new PodEphemeralContainersStrategy();

    private static V1Pod Stored(params V1EphemeralContainer[] ephemeral)
    {
        var pod = new V1Pod
        {
            Metadata = Meta("web"),
            Spec = PodSpec(Container("app")),
            Status = new V1PodStatus { Phase = "Running" },
        };
        pod.Metadata.Labels = new Dictionary<string, string> { ["app"] = "web" };
        pod.Metadata.ResourceVersion = "7";
        pod.Spec.EphemeralContainers = ephemeral.Length == 0 ? null : ephemeral.ToList();
        ((IResourceStrategy)new PodStrategy()).Default(pod);
        return pod;
    }

    private static V1EphemeralContainer Debugger(string name = "dbg", string image = "busybox") => new() { Name = name, Image = image };

    [Fact]
    public void Update_KeepsEverythingButEphemeralContainersFromTheStoredPod()
    {
        var old = Stored();
        var pod = Copy(old);
        pod.Metadata.Labels["app"] = "changed";
        pod.Spec.Containers[0].Image = "nginx:2";
        pod.Spec.NodeName = "elsewhere";
        pod.Status.Phase = "Failed";
        pod.Spec.EphemeralContainers = [Debugger()];

        Assert.Empty(Update(_strategy, pod, old));

        Assert.Equal("web", pod.Metadata.Labels["app"]);
        Assert.Equal("nginx:1.27", pod.Spec.Containers[0].Image);
        Assert.Null(pod.Spec.NodeName);
        Assert.Equal("Running", pod.Status.Phase);
        var added = Assert.Single(pod.Spec.EphemeralContainers);
        Assert.Equal(("Always", "/dev/termination-log", "File"), (added.ImagePullPolicy, added.TerminationMessagePath, added.TerminationMessagePolicy));
    }

    [Fact]
    public void Update_ExistingContainerWithoutItsDefaults_IsUnchanged()
    {
        // A client that sends back an existing container without the server's defaults, or without an empty
        // resources object (Go's zero value), has not changed it.
        var existing = Debugger();
        existing.Resources = new V1ResourceRequirements();
        var old = Stored(existing);
        var pod = Copy(old);
        pod.Spec.EphemeralContainers = [Debugger(), Debugger("second")];

        Assert.Empty(Update(_strategy, pod, old));
    }

    [Fact]
    public void Update_OfAStaticPod_IsForbidden()
    {
        var old = Stored();
        old.Metadata.Annotations = new Dictionary<string, string> { ["kubernetes.io/config.mirror"] = "hash" };
        var pod = Copy(old);
        pod.Spec.EphemeralContainers = [Debugger()];

        Assert.Equal([": Forbidden: static pods do not support ephemeral containers"], Update(_strategy, pod, old));
    }

    [Fact]
    public void Update_WithSubPathMount_IsForbidden()
    {
        var old = Stored();
        old.Spec.Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }];
        var pod = Copy(old);
        var debugger = Debugger();
        debugger.VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data", SubPath = "x" }];
        pod.Spec.EphemeralContainers = [debugger];

        Assert.Equal(["spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container"],
            Update(_strategy, pod, old));
    }
}
