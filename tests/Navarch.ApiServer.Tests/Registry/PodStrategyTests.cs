using k8s.Models;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Kinds;
using static Navarch.ApiServer.Tests.Registry.StrategyTestHelpers;

namespace Navarch.ApiServer.Tests.Registry;

public sealed class PodStrategyTests
{
    private readonly IResourceStrategy _strategy = new PodStrategy();

    private static V1Pod Pod(V1PodSpec? spec = null) => new() { Metadata = Meta("web"), Spec = spec ?? PodSpec() };

    [Fact]
    public void Create_AppliesKubernetesDefaults()
    {
        var pod = Pod(PodSpec(Container("app", "nginx"), Container("side", "busybox@sha256:abc")));
        pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80 }];
        pod.Spec.Containers[0].LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = 80 } };

        Assert.Empty(Create(_strategy, pod));

        var spec = pod.Spec;
        Assert.Equal("Always", spec.RestartPolicy);
        Assert.Equal("ClusterFirst", spec.DnsPolicy);
        Assert.Equal(30, spec.TerminationGracePeriodSeconds);
        Assert.Equal("default-scheduler", spec.SchedulerName);
        Assert.NotNull(spec.SecurityContext);
        Assert.True(spec.EnableServiceLinks);
        Assert.Equal("default", spec.ServiceAccountName);
        Assert.Equal("default", spec.ServiceAccount);
        Assert.Null(spec.Priority); // the Priority admission plugin sets it, not the strategy
        Assert.Null(spec.Tolerations);

        var app = spec.Containers[0];
        Assert.Equal("Always", app.ImagePullPolicy);
        Assert.Equal("IfNotPresent", spec.Containers[1].ImagePullPolicy);
        Assert.Equal("/dev/termination-log", app.TerminationMessagePath);
        Assert.Equal("File", app.TerminationMessagePolicy);
        Assert.Equal("TCP", app.Ports[0].Protocol);
        var probe = app.LivenessProbe;
        Assert.Equal((1, 10, 1, 3, "HTTP"), (probe.TimeoutSeconds!.Value, probe.PeriodSeconds!.Value, probe.SuccessThreshold!.Value, probe.FailureThreshold!.Value, probe.HttpGet.Scheme));

        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal("BestEffort", pod.Status.QosClass);
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.27", "IfNotPresent")]
    [InlineData("localhost:5000/nginx", "Always")]
    [InlineData("localhost:5000/nginx:v1", "IfNotPresent")]
    [InlineData("nginx@sha256:0123", "IfNotPresent")]
    public void ImagePullPolicy_FollowsTheTag(string image, string expected)
    {
        Assert.Equal(expected, Navarch.ApiServer.Registry.Validation.PodSpecDefaults.DefaultImagePullPolicy(image));
    }

    [Fact]
    public void Create_KeepsTolerationsAndServiceAccount()
    {
        var pod = Pod();
        pod.Spec.ServiceAccountName = "builder";
        pod.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 5 }];

        Create(_strategy, pod);

        Assert.Equal("builder", pod.Spec.ServiceAccount);
        Assert.Single(pod.Spec.Tolerations);
        Assert.Equal(5, pod.Spec.Tolerations[0].TolerationSeconds);
    }

    [Fact]
    public void Create_CopiesLimitsToRequestsAndComputesGuaranteed()
    {
        var pod = Pod();
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("128Mi") },
        };

        Create(_strategy, pod);

        Assert.Equal("500m", pod.Spec.Containers[0].Resources.Requests["cpu"].ToString());
        Assert.Equal("Guaranteed", pod.Status.QosClass);
    }

    [Fact]
    public void QosClass_IsBurstableWhenRequestsDifferFromLimitsOrLimitsAreMissing()
    {
        Assert.Equal("Burstable", Qos(new() { ["cpu"] = new("100m") }, new() { ["cpu"] = new("200m"), ["memory"] = new("1Gi") }));
        Assert.Equal("Burstable", Qos(new() { ["memory"] = new("1Gi") }, null));
        Assert.Equal("Burstable", Qos(null, new() { ["cpu"] = new("1") }));
        Assert.Equal("Guaranteed", Qos(new() { ["cpu"] = new("1"), ["memory"] = new("1Gi") }, new() { ["cpu"] = new("1000m"), ["memory"] = new("1Gi") }));
        Assert.Equal("BestEffort", Qos(new() { ["ephemeral-storage"] = new("1Gi") }, null));
    }

    private static string Qos(Dictionary<string, ResourceQuantity>? requests, Dictionary<string, ResourceQuantity>? limits)
    {
        var spec = PodSpec();
        spec.Containers[0].Resources = new V1ResourceRequirements { Requests = requests, Limits = limits };
        return Navarch.ApiServer.Registry.Validation.PodQos.Compute(spec);
    }

    [Fact]
    public void Validate_ReportsContainerProblemsWithKubernetesMessages()
    {
        var pod = Pod(PodSpec(Container("app", ""), Container("app"), Container("Bad_Name")));
        pod.Spec.RestartPolicy = "Sometimes";
        pod.Spec.Containers[1].Ports = [new V1ContainerPort { ContainerPort = 70000 }];
        pod.Spec.Containers[1].VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }];

        var errors = Create(_strategy, pod);

        Assert.Contains("spec.containers[0].image: Required value", errors);
        Assert.Contains("spec.containers[1].name: Duplicate value: \"app\"", errors);
        Assert.Contains(errors, e => e.StartsWith("spec.containers[2].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label", StringComparison.Ordinal));
        Assert.Contains("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"", errors);
        Assert.Contains("spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive", errors);
        Assert.Contains("spec.containers[1].volumeMounts[0].name: Not found: \"data\"", errors);
    }

    [Fact]
    public void Validate_RequiresContainersAndUniqueNamesAcrossInitContainers()
    {
        var empty = Pod(new V1PodSpec());
        Assert.Contains("spec.containers: Required value", Create(_strategy, empty));

        var pod = Pod();
        pod.Spec.InitContainers = [Container("app", "busybox")];
        Assert.Contains("spec.containers[0].name: Duplicate value: \"app\"", Create(_strategy, pod));
    }

    [Fact]
    public void Validate_RejectsDuplicateVolumesAndBadDnsPolicy()
    {
        var pod = Pod();
        pod.Spec.DnsPolicy = "Google";
        pod.Spec.Volumes = [new V1Volume { Name = "v", EmptyDir = new() }, new V1Volume { Name = "v", EmptyDir = new() }];

        var errors = Create(_strategy, pod);

        Assert.Contains("spec.volumes[1].name: Duplicate value: \"v\"", errors);
        Assert.Contains("spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirst\", \"ClusterFirstWithHostNet\", \"Default\", \"None\"", errors);
    }

    [Fact]
    public void Update_MayChangeImagesDeadlineAndAddTolerations()
    {
        var old = Pod();
        Create(_strategy, old);
        var updated = Copy(old);
        updated.Spec.Containers[0].Image = "nginx:1.28";
        updated.Spec.ActiveDeadlineSeconds = 60;
        (updated.Spec.Tolerations ??= []).Add(new V1Toleration { Key = "gpu", OperatorProperty = "Exists", Effect = "NoSchedule" });
        updated.Status = new V1PodStatus { Phase = "Running" };

        Assert.Empty(Update(_strategy, updated, old));
        Assert.Equal("Pending", updated.Status.Phase); // status comes from the stored pod
    }

    [Fact]
    public void Update_OfOtherFields_IsForbidden()
    {
        var old = Pod();
        Create(_strategy, old);
        var updated = Copy(old);
        updated.Spec.Containers[0].Env = [new V1EnvVar { Name = "A", Value = "1" }];

        var errors = Update(_strategy, updated, old);

        Assert.Equal(
            ["spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"],
            errors);
    }

    [Fact]
    public void Update_RemovingTolerationOrRaisingDeadline_Fails()
    {
        var old = Pod();
        old.Spec.ActiveDeadlineSeconds = 60;
        old.Spec.Tolerations = [new V1Toleration { Key = "gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }];
        Create(_strategy, old);
        var updated = Copy(old);
        updated.Spec.Tolerations.RemoveAt(0);
        updated.Spec.ActiveDeadlineSeconds = 120;

        var errors = Update(_strategy, updated, old);

        Assert.Contains("spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds", errors);
        Assert.Contains("spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value", errors);
    }

    [Fact]
    public void GracefulDeletion_FollowsPodRules()
    {
        var pod = Pod();
        Create(_strategy, pod);
        Assert.Null(_strategy.GracefulDeletionPeriod(pod, null)); // never scheduled

        pod.Spec.NodeName = "node-1";
        Assert.Equal(30, _strategy.GracefulDeletionPeriod(pod, null));
        Assert.Equal(5, _strategy.GracefulDeletionPeriod(pod, 5));
        Assert.Null(_strategy.GracefulDeletionPeriod(pod, 0));
        Assert.Equal(1, _strategy.GracefulDeletionPeriod(pod, -3));

        pod.Status.Phase = "Succeeded";
        Assert.Null(_strategy.GracefulDeletionPeriod(pod, null));
    }

    [Fact]
    public void SelectableFields_ReadPodValues()
    {
        var pod = Pod();
        Create(_strategy, pod);
        pod.Spec.NodeName = "node-1";
        pod.Status.PodIP = "10.42.0.5";

        Assert.Contains("status.nominatedNodeName", _strategy.SelectableFields);
        Assert.Equal("node-1", _strategy.GetSelectableField(pod, "spec.nodeName"));
        Assert.Equal("Pending", _strategy.GetSelectableField(pod, "status.phase"));
        Assert.Equal("10.42.0.5", _strategy.GetSelectableField(pod, "status.podIP"));
        Assert.Equal("false", _strategy.GetSelectableField(pod, "spec.hostNetwork"));
        Assert.Equal("default", _strategy.GetSelectableField(pod, "spec.serviceAccountName"));
        Assert.Equal("", _strategy.GetSelectableField(pod, "status.nominatedNodeName"));
    }
}
