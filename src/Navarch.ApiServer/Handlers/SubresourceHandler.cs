using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Navarch.Api.Labels;
using Navarch.ApiServer.Apply;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.NodeProxy;
using Navarch.ApiServer.Objects;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Kinds;
using Navarch.ApiServer.Serialization;
using Navarch.ApiServer.ServiceAccounts;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// The subresources: <c>status</c> (only status changes), pods' <c>ephemeralcontainers</c> (only
/// spec.ephemeralContainers changes), <c>scale</c> (autoscaling/v1 Scale over
/// spec.replicas), <c>binding</c> (sets a pod's node once), <c>eviction</c> (a policy-checked delete) and
/// serviceaccounts' <c>token</c> (see <see cref="TokenRequestHandler"/>); pods' <c>log</c>, <c>exec</c>, <c>attach</c>
/// and <c>portforward</c> go to the pod's kubelet (see <see cref="PodConnectHandler"/>); nodes' and pods' <c>proxy</c> forward
/// any request to the kubelet or the pod (see <see cref="ResourceProxyHandler"/>).
/// </summary>
public sealed class SubresourceHandler(
    ObjectRepository repository,
    ObjectDecoder decoder,
    ObjectPreparer preparer,
    DeleteHandler deletes,
    ResponseWriter responses)
{
    // Stateless, so one serves every request.
    private static readonly PodEphemeralContainersStrategy EphemeralContainers = new();

    public Task HandleAsync(RequestContext request) => (request.Info.Subresource, request.Http.Request.Method) switch
    {
        ("status", "GET") => GetAsync(request),
        ("status", "PUT" or "PATCH") => UpdateStatusAsync(request),
        ("ephemeralcontainers", "GET") => GetAsync(request),
        ("ephemeralcontainers", "PUT" or "PATCH") => UpdateEphemeralContainersAsync(request),
        ("scale", "GET") => GetScaleAsync(request),
        ("scale", "PUT" or "PATCH") => UpdateScaleAsync(request),
        ("binding", "POST") => BindAsync(request),
        ("eviction", "POST") => EvictAsync(request),
        ("finalize", "PUT") => FinalizeNamespaceAsync(request),
        ("token", "POST") => request.Http.RequestServices.GetRequiredService<TokenRequestHandler>().CreateAsync(request),
        ("proxy", _) => request.Http.RequestServices.GetRequiredService<ResourceProxyHandler>().HandleAsync(request),
        (var sub, _) when PodConnectHandler.Subresources.Contains(sub) =>
            request.Http.RequestServices.GetRequiredService<PodConnectHandler>().HandleAsync(request),
        var (sub, method) => throw ApiException.MethodNotSupported(request.Info.Definition.Group,
            $"{request.Info.Definition.Resource}/{sub}", method.ToLowerInvariant()),
    };

    private string Key(RequestInfo info) => info.Definition.Key(info.Namespace, info.Name!);

    private async Task GetAsync(RequestContext request)
    {
        var info = request.Info;
        var obj = await repository.GetRequiredAsync(info.Definition, Key(info), info.Name!, request.Cancellation).ConfigureAwait(false);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status200OK, info.Definition, obj).ConfigureAwait(false);
    }

    /// <summary>As kube-apiserver's status strategies: everything but status is kept from the stored object.</summary>
    private async Task UpdateStatusAsync(RequestContext request)
    {
        var info = request.Info;
        var definition = info.Definition;
        var (mediaType, body) = await ReadBodyAsync(request).ConfigureAwait(false);
        var outcome = await repository.GuaranteedUpdateAsync(definition, Key(info), info.Name!, (current, _) =>
        {
            var currentNode = ApiJson.SerializeToNode(current)!.AsObject();
            var incoming = request.Http.Request.Method == "PUT" ? body : PatchApplier.Apply(mediaType, currentNode.DeepClone(), body, definition.ModelType);
            var next = decoder.Decode(incoming, definition, request.FieldValidation, request.Warnings);
            WriteHandler.CheckResourceVersion(definition, info.Name!, request.Http.Request.Method == "PUT" ? next.Metadata.ResourceVersion : null, current);
            var merged = currentNode.DeepClone().AsObject();
            merged["status"] = ApiJson.SerializeToNode(next)?["status"]?.DeepClone();
            var result = decoder.Decode(merged, definition, FieldValidation.Ignore, []);
            // Labels, annotations and finalizers may change with status, as kube-apiserver allows.
            result.Metadata.Labels = next.Metadata.Labels ?? current.Metadata.Labels;
            result.Metadata.Annotations = next.Metadata.Annotations ?? current.Metadata.Annotations;
            ObjectPreparer.CopySystemMetadata(result, current);
            return ValueTask.FromResult(result);
        }, request.DryRun, request.Cancellation).ConfigureAwait(false);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status200OK, definition, outcome.Object).ConfigureAwait(false);
    }

    /// <summary>
    /// pods/ephemeralcontainers: a PUT or patch of the whole Pod of which only spec.ephemeralContainers is kept
    /// (see <see cref="PodEphemeralContainersStrategy"/>); the response is the updated Pod, as kube-apiserver returns it.
    /// </summary>
    private async Task UpdateEphemeralContainersAsync(RequestContext request)
    {
        var info = request.Info;
        var definition = info.Definition;
        var isPut = request.Http.Request.Method == "PUT";
        var (mediaType, body) = await ReadBodyAsync(request).ConfigureAwait(false);
        if (isPut)
        {
            // Decoded once with the request's field validation, so unknown fields fail or warn once, not per attempt.
            decoder.Decode(body, definition, request.FieldValidation, request.Warnings);
        }

        var outcome = await repository.GuaranteedUpdateAsync(definition, Key(info), info.Name!, (current, _) =>
        {
            // A stored Pod always serializes to a JSON object, so the patch base is never null.
            var next = isPut
                ? decoder.Decode(body, definition, FieldValidation.Ignore, [])
                : decoder.Decode(PatchApplier.Apply(mediaType, ApiJson.SerializeToNode(current)!, body, definition.ModelType), definition,
                    request.FieldValidation, request.Warnings);
            WriteHandler.CheckName(info, next);
            WriteHandler.CheckResourceVersion(definition, info.Name!, next.Metadata.ResourceVersion, current);
            IResourceStrategy strategy = EphemeralContainers;
            strategy.PrepareForUpdate(next, current);
            strategy.Default(next);
            var errors = new List<FieldError>();
            strategy.ValidateUpdate(next, current, errors);
            if (errors.Count > 0)
            {
                throw ApiException.Invalid(definition.Group, definition.Kind, info.Name!, errors);
            }

            ManagedFieldsTracker.RecordUpdate(current, next, request.FieldManager, definition.GroupVersion, preparer.Now(),
                subresource: info.Subresource);
            return ValueTask.FromResult(next);
        }, request.DryRun, request.Cancellation).ConfigureAwait(false);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status200OK, definition, outcome.Object).ConfigureAwait(false);
    }

    private async Task GetScaleAsync(RequestContext request)
    {
        var info = request.Info;
        var obj = await repository.GetRequiredAsync(info.Definition, Key(info), info.Name!, request.Cancellation).ConfigureAwait(false);
        await WriteScaleAsync(request, StatusCodes.Status200OK, obj).ConfigureAwait(false);
    }

    private async Task UpdateScaleAsync(RequestContext request)
    {
        var info = request.Info;
        var definition = info.Definition;
        var (mediaType, body) = await ReadBodyAsync(request).ConfigureAwait(false);
        var outcome = await repository.GuaranteedUpdateAsync(definition, Key(info), info.Name!, (current, _) =>
        {
            var scaleNode = ApiJson.SerializeToNode(ToScale(current))!;
            var incoming = request.Http.Request.Method == "PUT" ? body : PatchApplier.Apply(mediaType, scaleNode, body, typeof(V1Scale));
            var scale = ApiJson.Deserialize(incoming, typeof(V1Scale)) as V1Scale
                ?? throw ApiException.BadRequest("the body is not a Scale");
            WriteHandler.CheckResourceVersion(definition, info.Name!, scale.Metadata?.ResourceVersion, current);
            var replicas = scale.Spec?.Replicas ?? 0;
            if (replicas < 0)
            {
                throw ApiException.Invalid("autoscaling", "Scale", info.Name!,
                    [FieldError.Invalid("spec.replicas", replicas, "must be greater than or equal to 0")]);
            }

            var next = ObjectCodec.Decode(definition, ObjectCodec.EncodeForStorage(current), 0);
            next.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            SetReplicas(next, replicas);
            ObjectPreparer.BumpGeneration(definition, next, current);
            return ValueTask.FromResult(next);
        }, request.DryRun, request.Cancellation).ConfigureAwait(false);
        await WriteScaleAsync(request, StatusCodes.Status200OK, outcome.Object).ConfigureAwait(false);
    }

    private Task WriteScaleAsync(RequestContext request, int statusCode, IKubernetesObject<V1ObjectMeta> obj) =>
        ResponseWriter.WriteAsync(request.Http, statusCode, ApiJson.SerializeToUtf8Bytes(ToScale(obj)));

    private static V1Scale ToScale(IKubernetesObject<V1ObjectMeta> obj)
    {
        var (replicas, statusReplicas, selector) = obj switch
        {
            V1Deployment d => (d.Spec?.Replicas ?? 1, d.Status?.Replicas ?? 0, d.Spec?.Selector),
            V1ReplicaSet r => (r.Spec?.Replicas ?? 1, r.Status?.Replicas ?? 0, r.Spec?.Selector),
            V1StatefulSet s => (s.Spec?.Replicas ?? 1, s.Status?.Replicas ?? 0, s.Spec?.Selector),
            _ => throw ApiException.BadRequest($"{obj.Kind} has no scale subresource"),
        };
        return new V1Scale
        {
            ApiVersion = "autoscaling/v1",
            Kind = "Scale",
            Metadata = new V1ObjectMeta
            {
                Name = obj.Metadata.Name,
                NamespaceProperty = obj.Metadata.NamespaceProperty,
                Uid = obj.Metadata.Uid,
                ResourceVersion = obj.Metadata.ResourceVersion,
                CreationTimestamp = obj.Metadata.CreationTimestamp,
            },
            Spec = new V1ScaleSpec { Replicas = replicas },
            Status = new V1ScaleStatus { Replicas = statusReplicas, Selector = LabelSelector.FromLabelSelector(selector).ToString() },
        };
    }

    private static void SetReplicas(IKubernetesObject<V1ObjectMeta> obj, int replicas)
    {
        switch (obj)
        {
            case V1Deployment d:
                d.Spec.Replicas = replicas;
                break;
            case V1ReplicaSet r:
                r.Spec.Replicas = replicas;
                break;
            case V1StatefulSet s:
                s.Spec.Replicas = replicas;
                break;
        }
    }

    /// <summary>pods/binding: assigns the node once; a pod already on a node is a Conflict, as kube-apiserver says it.</summary>
    private async Task BindAsync(RequestContext request)
    {
        var info = request.Info;
        var (_, body) = await ReadBodyAsync(request).ConfigureAwait(false);
        var binding = ApiJson.Deserialize(body, typeof(V1Binding)) as V1Binding ?? throw ApiException.BadRequest("the body is not a Binding");
        var target = binding.Target?.Name;
        if (string.IsNullOrEmpty(target) || (binding.Target!.Kind is { Length: > 0 } kind && kind != "Node"))
        {
            throw ApiException.Invalid("", "Binding", info.Name!, [FieldError.Invalid("target.kind", binding.Target?.Kind, "must be empty or 'Node'")]);
        }

        await repository.GuaranteedUpdateAsync(info.Definition, Key(info), info.Name!, (current, _) =>
        {
            var pod = (V1Pod)current;
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                throw ApiException.Conflict("", "pods", info.Name!, "pod is being deleted, cannot be assigned to a host");
            }

            if (!string.IsNullOrEmpty(pod.Spec.NodeName))
            {
                throw ApiException.Conflict("", "pods", info.Name!, $"pod {info.Name} is already assigned to node \"{pod.Spec.NodeName}\"");
            }

            pod.Spec.NodeName = target;
            pod.Status ??= new V1PodStatus();
            pod.Status.Conditions ??= [];
            pod.Status.Conditions = [.. pod.Status.Conditions.Where(c => c.Type != "PodScheduled"),
                new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = preparer.Now() }];
            if (binding.Metadata?.Annotations is { Count: > 0 } annotations)
            {
                pod.Metadata.Annotations ??= new Dictionary<string, string>();
                foreach (var (k, v) in annotations)
                {
                    pod.Metadata.Annotations[k] = v;
                }
            }

            return ValueTask.FromResult<IKubernetesObject<V1ObjectMeta>>(pod);
        }, request.DryRun, request.Cancellation).ConfigureAwait(false);
        await ResponseWriter.WriteSuccessAsync(request.Http, StatusCodes.Status201Created).ConfigureAwait(false);
    }

    /// <summary>pods/eviction: a delete with the eviction's options (no disruption budgets are served yet).</summary>
    private async Task EvictAsync(RequestContext request)
    {
        var info = request.Info;
        var (_, body) = await ReadBodyAsync(request).ConfigureAwait(false);
        var eviction = ApiJson.Deserialize(body, typeof(V1Eviction)) as V1Eviction ?? throw ApiException.BadRequest("the body is not an Eviction");
        if (eviction.Metadata?.Name is { Length: > 0 } name && name != info.Name)
        {
            throw ApiException.BadRequest($"name in URL does not match name in Eviction object");
        }

        await deletes.DeleteOneAsync(info.Definition, Key(info), info.Name!, eviction.DeleteOptions ?? new V1DeleteOptions(),
            request.DryRun, request.Cancellation).ConfigureAwait(false);
        await ResponseWriter.WriteSuccessAsync(request.Http, StatusCodes.Status201Created).ConfigureAwait(false);
    }

    /// <summary>namespaces/finalize: replaces spec.finalizers, the namespace controller's last step.</summary>
    private async Task FinalizeNamespaceAsync(RequestContext request)
    {
        var info = request.Info;
        var (_, body) = await ReadBodyAsync(request).ConfigureAwait(false);
        var incoming = decoder.Decode(body, info.Definition, request.FieldValidation, request.Warnings) as V1Namespace
            ?? throw ApiException.BadRequest("the body is not a Namespace");
        var outcome = await repository.GuaranteedUpdateAsync(info.Definition, Key(info), info.Name!, (current, _) =>
        {
            var ns = (V1Namespace)current;
            ns.Spec ??= new V1NamespaceSpec();
            ns.Spec.Finalizers = incoming.Spec?.Finalizers is { Count: > 0 } f ? f : null;
            return ValueTask.FromResult<IKubernetesObject<V1ObjectMeta>>(ns);
        }, request.DryRun, request.Cancellation).ConfigureAwait(false);
        await responses.WriteObjectAsync(request.Http, StatusCodes.Status200OK, info.Definition, outcome.Object).ConfigureAwait(false);
    }

    private static Task<(string MediaType, JsonNode Node)> ReadBodyAsync(RequestContext request) =>
        RequestBody.ReadNodeAsync(request.Http.Request, request.Info.Definition.Kind, request.Cancellation);
}
