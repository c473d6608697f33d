using k8s.Models;
using Navarch.Kubelet.Pods;
using Navarch.Kubelet.Tests.Pods;

namespace Navarch.Kubelet.Tests.Config;

public sealed class ServiceEnvironmentTests
{
    [Fact]
    public void FromServices_DockerLinkVariablesAsTheKubeletWritesThem()
    {
        var services = new[]
        {
            Service("my-db", "10.43.0.10", new V1ServicePort { Name = "sql", Port = 5432 }, new V1ServicePort { Port = 53, Protocol = "UDP" }),
            Service("headless", "None", new V1ServicePort { Port = 80 }),
        };

        var env = ServiceEnvironment.FromServices(services);

        Assert.Equal(
            [
                ("MY_DB_SERVICE_HOST", "10.43.0.10"), ("MY_DB_SERVICE_PORT", "5432"), ("MY_DB_SERVICE_PORT_SQL", "5432"),
                ("MY_DB_PORT", "tcp://10.43.0.10:5432"),
                ("MY_DB_PORT_5432_TCP", "tcp://10.43.0.10:5432"), ("MY_DB_PORT_5432_TCP_PROTO", "tcp"), ("MY_DB_PORT_5432_TCP_PORT", "5432"), ("MY_DB_PORT_5432_TCP_ADDR", "10.43.0.10"),
                ("MY_DB_PORT_53_UDP", "udp://10.43.0.10:53"), ("MY_DB_PORT_53_UDP_PROTO", "udp"), ("MY_DB_PORT_53_UDP_PORT", "53"), ("MY_DB_PORT_53_UDP_ADDR", "10.43.0.10"),
            ],
            env.Select(entry => (entry.Key, entry.Value)));
    }

    [Fact]
    public void Env_ServiceVariablesExpandAndComeLast_ContainerEnvWins()
    {
        var container = TestPods.Busybox("app", "true");
        container.Env =
        [
            new V1EnvVar { Name = "URL", Value = "https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)" },
            new V1EnvVar { Name = "KUBERNETES_SERVICE_PORT", Value = "1234" },
        ];
        var inputs = new ContainerInputs { ServiceEnvironment = ServiceEnvironment.FromServices([Service("kubernetes", "10.43.0.1", new V1ServicePort { Name = "https", Port = 443 })]) };

        var env = new ContainerConfigBuilder(false).Build(TestPods.New("web", "Always", container), container, 0, PodNetworkInfo.None, inputs).Envs
            .ToDictionary(entry => entry.Key, entry => entry.Value);

        Assert.Equal("https://10.43.0.1:443", env["URL"]);
        Assert.Equal("1234", env["KUBERNETES_SERVICE_PORT"]);
        Assert.Equal("10.43.0.1", env["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("443", env["KUBERNETES_SERVICE_PORT_HTTPS"]);
    }

    private static V1Service Service(string name, string ip, params V1ServicePort[] ports) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1ServiceSpec { ClusterIP = ip, Ports = ports } };
}
