using System.Text;
using k8s;
using k8s.Models;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Node;
using Navarch.Kubelet.Tests.Pods;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Tests.Config;

/// <summary>The resolver against a real API server: referenced ConfigMaps and Secrets, and service variables.</summary>
[Collection(NodeApiCollection.Name)]
public sealed class ContainerInputsResolverTests(NodeApiFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task Resolve_ReadsReferencedObjectsAndServices_MissingOnesAreAbsent()
    {
        var ns = await fixture.NamespaceAsync("inputs");
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" }, Data = new Dictionary<string, string> { ["color"] = "blue" } }, ns);
        await fixture.Admin.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes("t0k") } }, ns);
        await fixture.Admin.CoreV1.CreateNamespacedServiceAsync(
            new V1Service { Metadata = new V1ObjectMeta { Name = "web-api" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 8080 }] } }, ns);
        var container = TestPods.Busybox("app", "true");
        container.Env =
        [
            new V1EnvVar { Name = "COLOR", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cfg", Key = "color" } } },
            new V1EnvVar { Name = "GONE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "absent", Key = "k", Optional = true } } },
        ];
        container.EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "creds" } }];
        var pod = TestPods.New("web", "Always", container);
        pod.Metadata.NamespaceProperty = ns;

        var inputs = await new ContainerInputsResolver(fixture.Admin).ResolveAsync(pod, container, PodVolumes.None, CancellationToken.None);
        var env = new ContainerConfigBuilder(false).Build(pod, container, 0, PodNetworkInfo.None, inputs).Envs.ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal(["cfg"], inputs.ConfigMaps.Keys);
        Assert.Equal(["creds"], inputs.Secrets.Keys);
        Assert.Equal("blue", env["COLOR"]);
        Assert.Equal("t0k", env["token"]);
        Assert.False(env.ContainsKey("GONE"));
        Assert.Equal("8080", env["WEB_API_SERVICE_PORT"]);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", env["WEB_API_SERVICE_HOST"]);

        pod.Spec.EnableServiceLinks = false;
        var withoutLinks = await new ContainerInputsResolver(fixture.Admin).ResolveAsync(pod, container, PodVolumes.None, CancellationToken.None);
        Assert.DoesNotContain(withoutLinks.ServiceEnvironment, entry => entry.Key.StartsWith("WEB_API_", StringComparison.Ordinal));
    }
}
