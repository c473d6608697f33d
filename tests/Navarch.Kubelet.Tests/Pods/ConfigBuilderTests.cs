using k8s.Models;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Tests.Pods;

public sealed class ConfigBuilderTests
{
    [Fact]
    public void Sandbox_HostNetworkPod_NodeNetworkNoHostnameAndLogDirectoryByIdentity()
    {
        var pod = TestPods.New("web", "Always", TestPods.Busybox("app", "true"));

        var config = new PodSandboxConfigBuilder("/data/agent/logs").Build(pod, attempt: 2);

        Assert.Equal(("web", "default", pod.Metadata.Uid, 2u), (config.Metadata.Name, config.Metadata.Namespace, config.Metadata.Uid, config.Metadata.Attempt));
        Assert.Equal($"/data/agent/logs/default_web_{pod.Metadata.Uid}", config.LogDirectory);
        Assert.Equal(NamespaceMode.Node, config.Linux.SecurityContext.NamespaceOptions.Network);
        Assert.Equal(string.Empty, config.Hostname);
        Assert.Equal("web", config.Labels[KubernetesLabels.PodName]);
        Assert.Equal("default", config.Labels[KubernetesLabels.PodNamespace]);
        Assert.Equal(pod.Metadata.Uid, config.Labels[KubernetesLabels.PodUid]);
        Assert.Equal("web", config.Labels["app"]);
    }

    [Fact]
    public void Sandbox_PodNetwork_PodNamespaceAndHostnameFromSpec()
    {
        var pod = TestPods.New("web", "Always", TestPods.Busybox("app", "true"));
        pod.Spec.HostNetwork = null;
        pod.Spec.Hostname = "my-host";

        var config = new PodSandboxConfigBuilder("/logs").Build(pod);

        Assert.Equal(NamespaceMode.Pod, config.Linux.SecurityContext.NamespaceOptions.Network);
        Assert.Equal("my-host", config.Hostname);
    }

    [Fact]
    public void Container_CommandArgsEnvAndLogPath_MappedAsKubernetesDoes()
    {
        var container = new V1Container
        {
            Name = "app",
            Image = "busybox",
            Command = ["sh", "-c"],
            Args = ["echo $(GREETING) $(MISSING) $$(GREETING)"],
            WorkingDir = "/tmp",
            Env =
            [
                new V1EnvVar { Name = "NAME", Value = "world" },
                new V1EnvVar { Name = "GREETING", Value = "hello-$(NAME)" },
                new V1EnvVar { Name = "IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
            ],
        };
        var pod = TestPods.New("web", "Always", container);

        var config = new ContainerConfigBuilder().Build(pod, container, restartCount: 3, new PodNetworkInfo(null, "192.0.2.1"));

        Assert.Equal(["sh", "-c"], config.Command);
        Assert.Equal(["echo hello-world $(MISSING) $(GREETING)"], config.Args);
        Assert.Equal("/tmp", config.WorkingDir);
        Assert.Equal(
            [("NAME", "world"), ("GREETING", "hello-world"), ("IP", "192.0.2.1")],
            config.Envs.Select(env => (env.Key, env.Value)));
        Assert.Equal("app/3.log", config.LogPath);
        Assert.Equal(3u, config.Metadata.Attempt);
        Assert.Equal("app", config.Labels[KubernetesLabels.ContainerName]);
        Assert.Equal("3", config.Annotations[KubernetesLabels.ContainerRestartCount]);
    }
}
