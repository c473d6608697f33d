using System.Text;
using k8s.Models;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Pods;

namespace Navarch.Kubelet.Tests.Config;

public sealed class EnvironmentTests
{
    private static readonly PodNetworkInfo Network = new("10.42.0.7", "192.0.2.1");

    [Fact]
    public void Env_AllDownwardApiFields_ResolvedAsTheKubeletDoes()
    {
        var container = Container(
            Field("NAME", "metadata.name"), Field("NS", "metadata.namespace"), Field("UID", "metadata.uid"),
            Field("LABEL", "metadata.labels['app']"), Field("NOLABEL", "metadata.labels['none']"),
            Field("ANNOTATION", "metadata.annotations['team']"), Field("NODE", "spec.nodeName"),
            Field("SA", "spec.serviceAccountName"), Field("HOST", "status.hostIP"), Field("HOSTS", "status.hostIPs"),
            Field("IP", "status.podIP"), Field("IPS", "status.podIPs"));
        var pod = Pod(container);
        pod.Metadata.Annotations = new Dictionary<string, string> { ["team"] = "core" };
        pod.Spec.ServiceAccountName = "builder";

        var env = Env(pod, container, ContainerInputs.Empty);

        Assert.Equal(
            [("NAME", "web"), ("NS", "default"), ("UID", pod.Metadata.Uid), ("LABEL", "web"), ("NOLABEL", ""), ("ANNOTATION", "core"),
             ("NODE", "node-1"), ("SA", "builder"), ("HOST", "192.0.2.1"), ("HOSTS", "192.0.2.1"), ("IP", "10.42.0.7"), ("IPS", "10.42.0.7")],
            env);
    }

    [Fact]
    public void Env_UnknownFieldPath_FailsWithKubeletMessage()
    {
        var container = Container(Field("X", "spec.bogus"));

        var error = Assert.Throws<ContainerConfigException>(() => Env(Pod(container), container, ContainerInputs.Empty));

        Assert.Equal("unsupported fieldPath: spec.bogus", error.Message);
    }

    [Fact]
    public void Env_ResourceFieldRef_DividesRoundsUpAndDefaultsLimitsToAllocatable()
    {
        var container = Container(
            Resource("CPU_LIMIT", "limits.cpu", null), Resource("CPU_MILLI", "requests.cpu", "1m"),
            Resource("MEM_LIMIT_MI", "limits.memory", "1Mi"), Resource("MEM_REQUEST", "requests.memory", null),
            Resource("STORAGE_LIMIT", "limits.ephemeral-storage", "1Gi"));
        container.Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("64Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1500m"), ["memory"] = new("100Mi") },
        };
        var inputs = new ContainerInputs
        {
            NodeAllocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["ephemeral-storage"] = new("20Gi") },
        };

        var env = Env(Pod(container), container, inputs);

        Assert.Equal(
            [("CPU_LIMIT", "2"), ("CPU_MILLI", "250"), ("MEM_LIMIT_MI", "100"), ("MEM_REQUEST", "67108864"), ("STORAGE_LIMIT", "20")],
            env);
    }

    [Fact]
    public void Env_ConfigMapAndSecretKeys_ResolvedAndOptionalMissingSkipped()
    {
        var container = Container(
            new V1EnvVar { Name = "COLOR", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cfg", Key = "color" } } },
            new V1EnvVar { Name = "PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "password" } } },
            new V1EnvVar { Name = "GONE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "missing", Key = "k", Optional = true } } },
            new V1EnvVar { Name = "NOKEY", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "creds", Key = "none", Optional = true } } });

        var env = Env(Pod(container), container, Inputs());

        Assert.Equal([("COLOR", "blue"), ("PASSWORD", "s3cret")], env);
    }

    [Theory]
    [InlineData("configmap", "missing", "k", "configmap \"missing\" not found")]
    [InlineData("configmap", "cfg", "nope", "couldn't find key nope in ConfigMap default/cfg")]
    [InlineData("secret", "missing", "k", "secret \"missing\" not found")]
    [InlineData("secret", "creds", "nope", "couldn't find key nope in Secret default/creds")]
    public void Env_MissingRequiredSource_FailsWithKubeletMessage(string kind, string name, string key, string message)
    {
        var source = kind == "configmap"
            ? new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = name, Key = key } }
            : new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = name, Key = key } };
        var container = Container(new V1EnvVar { Name = "X", ValueFrom = source });

        var error = Assert.Throws<ContainerConfigException>(() => Env(Pod(container), container, Inputs()));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void EnvFrom_PrefixesSkipsInvalidKeysAndEnvOverridesIt()
    {
        var container = Container(
            new V1EnvVar { Name = "CFG_color", Value = "red-$(CFG_size)" },
            new V1EnvVar { Name = "LATE", Value = "$(SEC_token)" });
        container.EnvFrom =
        [
            new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "cfg" }, Prefix = "CFG_" },
            new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "creds" }, Prefix = "SEC_" },
            new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "missing", Optional = true } },
        ];

        var env = Env(Pod(container), container, Inputs());

        Assert.Equal(
            [("CFG_1bad", "x"), ("CFG_color", "red-L"), ("CFG_size", "L"), ("SEC_password", "s3cret"), ("SEC_token", "t0k"), ("LATE", "t0k")],
            env);
    }

    [Fact]
    public void EnvFrom_InvalidNamesSkipped_AndMissingRequiredFails()
    {
        var container = Container();
        container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "cfg" } }];

        var env = Env(Pod(container), container, Inputs());
        Assert.Equal([("color", "blue"), ("size", "L")], env);

        container.EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "missing" } }];
        var error = Assert.Throws<ContainerConfigException>(() => Env(Pod(container), container, Inputs()));
        Assert.Equal("secret \"missing\" not found", error.Message);
    }

    [Fact]
    public void Expansion_DefinedEarlierOnly_EscapesAndLeavesUnknown()
    {
        var container = Container(
            new V1EnvVar { Name = "A", Value = "$(B)-x" },
            new V1EnvVar { Name = "B", Value = "b" },
            new V1EnvVar { Name = "C", Value = "$(A)$(B)$$(B)$(NOPE)$(unterminated" },
            new V1EnvVar { Name = "B", Value = "second" });
        container.Command = ["echo", "$(B)", "$$(B)", "$$$(B)"];

        var config = new ContainerConfigBuilder(swapControlled: false).Build(Pod(container), container, 0, Network);

        Assert.Equal([("A", "$(B)-x"), ("B", "second"), ("C", "$(B)-xb$(B)$(NOPE)$(unterminated")], config.Envs.Select(e => (e.Key, e.Value)));
        Assert.Equal(["echo", "second", "$(B)", "$second"], config.Command);
    }

    private static ContainerInputs Inputs() => new()
    {
        ConfigMaps = new Dictionary<string, V1ConfigMap>
        {
            ["cfg"] = new() { Data = new Dictionary<string, string> { ["color"] = "blue", ["size"] = "L", ["1bad"] = "x" } },
        },
        Secrets = new Dictionary<string, V1Secret>
        {
            ["creds"] = new() { Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("s3cret"), ["token"] = Encoding.UTF8.GetBytes("t0k") } },
        },
    };

    private static List<(string, string)> Env(V1Pod pod, V1Container container, ContainerInputs inputs) =>
        [.. new ContainerConfigBuilder(swapControlled: false).Build(pod, container, 0, Network, inputs).Envs.Select(e => (e.Key, e.Value))];

    private static V1Pod Pod(V1Container container) => TestPods.New("web", "Always", container);

    private static V1Container Container(params V1EnvVar[] env)
    {
        var container = TestPods.Busybox("app", "true");
        container.Env = env;
        return container;
    }

    private static V1EnvVar Field(string name, string path) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = path } } };

    private static V1EnvVar Resource(string name, string resource, string? divisor) =>
        new()
        {
            Name = name,
            ValueFrom = new V1EnvVarSource
            {
                ResourceFieldRef = new V1ResourceFieldSelector { Resource = resource, Divisor = divisor is null ? null : new ResourceQuantity(divisor) },
            },
        };
}
