using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using k8s.Models;
using Navarch.Controllers.GarbageCollector;

namespace Navarch.Controllers.Namespace;

/// <summary>
/// Empties a namespace as Kubernetes' namespacedResourcesDeleter: discovers every namespaced resource the API
/// serves, deletes each collection in the namespace (background propagation) and lists what is left, so the
/// namespace's conditions can say which resources and finalizers still hold it.
/// </summary>
internal sealed class NamespacedContentDeleter(ResourceApi api, TimeProvider time)
{
    private const string AggregatedDiscovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    public async Task<ContentDeletionResult> DeleteAllContentAsync(string ns, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var conditions = new List<V1NamespaceCondition>();
        var discovery = await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        if (discovery.Failures.Count > 0)
        {
            conditions.Add(NamespaceConditions.Failing(NamespaceConditions.DiscoveryFailure, "DiscoveryFailed",
                $"Discovery failed for some groups, {discovery.Failures.Count} failing: {Aggregate(discovery.Failures)}", now));
        }

        if (discovery.ParseFailures.Count > 0)
        {
            conditions.Add(NamespaceConditions.Failing(NamespaceConditions.GroupVersionParsingFailure, "GroupVersionParsingFailed",
                $"Failed to parse some group versions, {discovery.ParseFailures.Count} failing: {Aggregate(discovery.ParseFailures)}", now));
        }

        var errors = new List<string>();
        var remaining = new List<string>();
        var byFinalizer = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long estimate = 0;
        foreach (var resource in discovery.Resources)
        {
            IReadOnlyList<PartialObject> left;
            try
            {
                left = await DeleteCollectionAsync(resource.Resource, resource.CanDeleteCollection, ns, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            {
                // The resource went away or does not support it: nothing of it can hold the namespace.
                continue;
            }
            catch (ResourceApiException e)
            {
                errors.Add(e.Message);
                continue;
            }

            if (left.Count == 0) continue;
            remaining.Add(string.Create(CultureInfo.InvariantCulture, $"{resource.Resource.GroupResource} has {left.Count} resource instances"));
            foreach (var item in left)
            {
                foreach (var finalizer in item.Metadata?.Finalizers ?? [])
                {
                    byFinalizer[finalizer] = byFinalizer.GetValueOrDefault(finalizer) + 1;
                }

                if (resource.Resource is { Group: "", Plural: "pods" } && item.Metadata?.DeletionTimestamp is { } deadline)
                {
                    // A pod on a node goes when its kubelet has stopped it: at the latest by its deletionTimestamp.
                    var seconds = (long)Math.Ceiling((DateTime.SpecifyKind(deadline, DateTimeKind.Utc) - now).TotalSeconds);
                    estimate = Math.Max(estimate, seconds);
                }
            }
        }

        if (errors.Count > 0)
        {
            conditions.Add(NamespaceConditions.Failing(NamespaceConditions.ContentFailure, "ContentDeletionFailed",
                $"Failed to delete all resource types, {errors.Count} remaining: {Aggregate(errors)}", now));
        }

        if (remaining.Count > 0)
        {
            remaining.Sort(StringComparer.Ordinal);
            conditions.Add(NamespaceConditions.Failing(NamespaceConditions.ContentRemaining, "SomeResourcesRemain",
                "Some resources are remaining: " + string.Join(", ", remaining), now));
        }

        if (byFinalizer.Count > 0)
        {
            var finalizers = byFinalizer.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} in {p.Value} resource instances"));
            conditions.Add(NamespaceConditions.Failing(NamespaceConditions.FinalizersRemaining, "SomeFinalizersRemain",
                "Some content in the namespace has finalizers remaining: " + string.Join(", ", finalizers), now));
        }

        errors.AddRange(discovery.Failures);
        return new ContentDeletionResult(conditions, remaining.Count > 0, estimate, errors);
    }

    private async Task<IReadOnlyList<PartialObject>> DeleteCollectionAsync(
        ApiResource resource, bool canDeleteCollection, string ns, CancellationToken cancellationToken)
    {
        var options = new V1DeleteOptions { PropagationPolicy = "Background" };
        if (canDeleteCollection)
        {
            await api.DeleteCollectionAsync(resource, ns, options, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var item in await api.ListMetadataAsync(resource, ns, cancellationToken).ConfigureAwait(false))
            {
                if (item.Metadata?.Name is { } name && item.Metadata.DeletionTimestamp is null)
                {
                    await api.DeleteAsync(resource, ns, name, options, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return await api.ListMetadataAsync(resource, ns, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every namespaced resource that can be listed and deleted, in each group's preferred version, from the
    /// aggregated discovery documents of <c>/api</c> and <c>/apis</c> (what kubectl reads too: two requests in all).
    /// </summary>
    private async Task<Discovery> DiscoverAsync(CancellationToken cancellationToken)
    {
        var result = new Discovery([], [], []);
        foreach (var path in (string[])["api", "apis"])
        {
            JsonNode? document;
            try
            {
                document = await api.GetJsonAsync(path, AggregatedDiscovery, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceApiException e)
            {
                result.Failures.Add(e.Message);
                continue;
            }

            if (document?["kind"]?.GetValue<string>() != "APIGroupDiscoveryList")
            {
                result.Failures.Add($"GET /{path}: the server did not answer with aggregated discovery");
                continue;
            }

            foreach (var group in document["items"]?.AsArray() ?? [])
            {
                AddGroup(result, group);
            }
        }

        return result;
    }

    private static void AddGroup(Discovery result, JsonNode? group)
    {
        var name = group?["metadata"]?["name"]?.GetValue<string>() ?? string.Empty;

        // Versions come in preference order: the first is the one to act through.
        var preferred = group?["versions"]?.AsArray().FirstOrDefault();
        var version = preferred?["version"]?.GetValue<string>();
        if (preferred is null || string.IsNullOrEmpty(version))
        {
            result.ParseFailures.Add($"group \"{name}\" has no version");
            return;
        }

        foreach (var resource in preferred["resources"]?.AsArray() ?? [])
        {
            if (resource?["scope"]?.GetValue<string>() != "Namespaced") continue;
            var plural = resource["resource"]?.GetValue<string>();
            var kind = resource["responseKind"]?["kind"]?.GetValue<string>() ?? string.Empty;
            var verbs = resource["verbs"]?.AsArray().Select(v => v?.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
            if (string.IsNullOrEmpty(plural) || !verbs.Contains("list") || !(verbs.Contains("delete") || verbs.Contains("deletecollection"))) continue;
            result.Resources.Add(new DiscoveredResource(new ApiResource(name, version, plural, kind, Namespaced: true), verbs.Contains("deletecollection")));
        }
    }

    /// <summary>As Go's aggregate error prints: the one message, or all of them in brackets.</summary>
    private static string Aggregate(IReadOnlyList<string> errors) =>
        errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";

    private sealed record DiscoveredResource(ApiResource Resource, bool CanDeleteCollection);

    private sealed record Discovery(List<DiscoveredResource> Resources, List<string> Failures, List<string> ParseFailures);
}
