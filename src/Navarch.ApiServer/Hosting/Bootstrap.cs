using k8s;
using k8s.Models;
using Navarch.ApiServer.Admission.Priority;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Handlers;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Hosting;

/// <summary>
/// What kube-apiserver makes at start: the system namespaces, the <c>kubernetes</c> Service in <c>default</c> and the
/// system PriorityClasses.
/// Existing objects are left as they are.
/// </summary>
public sealed class Bootstrap(ResourceRegistry registry, ObjectRepository repository, TimeProvider time)
{
    public static readonly IReadOnlyList<string> SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public async Task RunAsync(int apiPort, CancellationToken cancellationToken)
    {
        foreach (var name in SystemNamespaces)
        {
            await EnsureAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken).ConfigureAwait(false);
        }

        var service = new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = "kubernetes",
                NamespaceProperty = "default",
                Labels = new Dictionary<string, string> { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                ClusterIP = FirstServiceIp(),
                Ports = [new V1ServicePort { Name = "https", Port = 443, Protocol = "TCP", TargetPort = apiPort }],
                SessionAffinity = "None",
            },
        };
        await EnsureAsync(service, cancellationToken).ConfigureAwait(false);
        foreach (var priorityClass in SystemPriorityClasses.Create())
        {
            await EnsureAsync(priorityClass, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string FirstServiceIp() => "10.43.0.1";

    private async Task EnsureAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken cancellationToken)
    {
        var definition = registry.Resources.First(r => r.ModelType == obj.GetType());
        var key = definition.Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        if (await repository.Store.GetAsync(key, 0, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        obj.ApiVersion = definition.GroupVersion;
        obj.Kind = definition.Kind;
        obj.Metadata.Uid = Guid.NewGuid().ToString();
        obj.Metadata.CreationTimestamp = new ObjectPreparer(time).Now();
        definition.Strategy.PrepareForCreate(obj);
        definition.Strategy.Default(obj);
        try
        {
            await repository.CreateAsync(definition, key, obj, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Reason == "AlreadyExists")
        {
            definition.Strategy.OnCreateFailed(obj);
        }
    }
}
