using System.Net;
using Grpc.Core;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Volumes;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// Reads what a container's config refers to — the ConfigMaps and Secrets of its env and envFrom (in the pod's
/// namespace, by name), the services whose variables it gets, and the image's user when runAsNonRoot must be checked — and pairs it with the mounts of its
/// volumes. Call it after the image is on the node, as the kubelet checks the image's user after pulling.
/// </summary>
/// <param name="client">Reads ConfigMaps and Secrets.</param>
/// <param name="cri">Reads the image's user for runAsNonRoot; without it the image's user is not checked.</param>
/// <param name="nodeAllocatable">The node's allocatable resources, the default for resourceFieldRef limits.</param>
/// <param name="time">The clock of the service list cache.</param>
public sealed class ContainerInputsResolver(
    IKubernetes client, CriClient? cri = null, IReadOnlyDictionary<string, ResourceQuantity>? nodeAllocatable = null, TimeProvider? time = null)
{
    /// <summary>How long a namespace's service list is reused for service env variables.</summary>
    public static readonly TimeSpan ServiceListTtl = TimeSpan.FromSeconds(5);

    private readonly IKubernetes _client = client;
    private readonly ServiceListCache _services = new(client, time ?? TimeProvider.System, ServiceListTtl);

    /// <exception cref="ContainerConfigException">
    /// A volume mount names no volume of the pod, or the API or the runtime cannot be read. A missing ConfigMap or Secret is
    /// not an error here: the builder decides with the optional flags.
    /// </exception>
    public async Task<ContainerInputs> ResolveAsync(V1Pod pod, V1Container container, PodVolumes volumes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(volumes);
        var ns = PodSandboxConfigBuilder.Identity(pod).Namespace;
        var configMapNames = new HashSet<string>(StringComparer.Ordinal);
        var secretNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            AddName(configMapNames, source.ConfigMapRef?.Name);
            AddName(secretNames, source.SecretRef?.Name);
        }

        foreach (var variable in container.Env ?? [])
        {
            AddName(configMapNames, variable.ValueFrom?.ConfigMapKeyRef?.Name);
            AddName(secretNames, variable.ValueFrom?.SecretKeyRef?.Name);
        }

        var configMaps = new Dictionary<string, V1ConfigMap>(StringComparer.Ordinal);
        foreach (var name in configMapNames)
        {
            if (await ReadAsync(() => _client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false) is { } configMap)
            {
                configMaps[name] = configMap;
            }
        }

        var secrets = new Dictionary<string, V1Secret>(StringComparer.Ordinal);
        foreach (var name in secretNames)
        {
            if (await ReadAsync(() => _client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false) is { } secret)
            {
                secrets[name] = secret;
            }
        }

        return new ContainerInputs
        {
            Mounts = volumes.MountsFor(container),
            ServiceEnvironment = await ServiceEnvironmentAsync(pod, ns, cancellationToken).ConfigureAwait(false),
            PodDirectory = volumes.PodDirectory,
            ConfigMaps = configMaps,
            Secrets = secrets,
            NodeAllocatable = nodeAllocatable,
            ImageUser = await ImageUserAsync(pod, container, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// The service variables, as the kubelet's getServiceEnvVarMap: the <c>kubernetes</c> service of the default namespace
    /// always, and with enableServiceLinks (the default) every service of the pod's namespace, which wins on a name clash.
    /// </summary>
    private async Task<IReadOnlyList<KeyValuePair<string, string>>> ServiceEnvironmentAsync(V1Pod pod, string ns, CancellationToken cancellationToken)
    {
        var services = new SortedDictionary<string, V1Service>(StringComparer.Ordinal);
        var defaults = await ReadAsync(() => _services.ListAsync("default", cancellationToken)).ConfigureAwait(false) ?? [];
        if (defaults.FirstOrDefault(service => service.Metadata.Name == "kubernetes") is { } master)
        {
            services["kubernetes"] = master;
        }

        if (pod.Spec?.EnableServiceLinks != false)
        {
            var local = ns == "default" ? defaults : await ReadAsync(() => _services.ListAsync(ns, cancellationToken)).ConfigureAwait(false) ?? [];
            foreach (var service in local)
            {
                services[service.Metadata.Name] = service;
            }
        }

        return ServiceEnvironment.FromServices(services.Values);
    }

    /// <summary>The image's user, read only when runAsNonRoot is asked for without a runAsUser (the only time it matters).</summary>
    private async Task<ImageUser?> ImageUserAsync(V1Pod pod, V1Container container, CancellationToken cancellationToken)
    {
        var podContext = pod.Spec?.SecurityContext;
        var runAsNonRoot = container.SecurityContext?.RunAsNonRoot ?? podContext?.RunAsNonRoot;
        var runAsUser = container.SecurityContext?.RunAsUser ?? podContext?.RunAsUser;
        if (cri is null || runAsNonRoot != true || runAsUser is not null)
        {
            return null;
        }

        try
        {
            var image = await cri.ImageStatusAsync(container.Image, cancellationToken).ConfigureAwait(false);
            return image is null ? null : ImageUser.From(image);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ContainerConfigException($"failed to get image user for {container.Image}: {e.Status.Detail}");
        }
    }

    private static void AddName(HashSet<string> names, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            names.Add(name);
        }
    }

    /// <summary>The object, or null when the API says it does not exist.</summary>
    private static async Task<T?> ReadAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            throw new ContainerConfigException(e.Response.Content is { Length: > 0 } content ? content : e.Message);
        }
        catch (HttpRequestException e)
        {
            throw new ContainerConfigException(e.Message);
        }
    }
}
