import KubeClient
import KubeModel
import Logging

/// The reflector half of the informer: keeping the cache equal to the server.
extension Informer {
    /// How one watch stream ended.
    enum WatchOutcome {
        /// The server closed the stream after `events` events (bookmarks included).
        case ended(events: Int)
        /// The resourceVersion is too old for the server (after `events` events): only a
        /// re-list can catch up.
        case gone(events: Int)
        case failed(any Error)
        case cancelled
    }

    /// Lists, then watches from the list's resourceVersion, forever: re-watching when a
    /// stream ends, re-listing on 410 Gone, backing off on failures, until cancelled.
    func listAndWatch() async {
        var backoff = configuration.backoff
        var needsList = true
        // A 410 right after a fresh list means the server cannot serve a watch from its own
        // list: re-listing at once again would be a tight loop, so the second one backs off.
        var goneWithoutProgress = false
        while !Task.isCancelled {
            if needsList {
                do {
                    try await listAndReplace()
                    needsList = false
                } catch {
                    if Task.isCancelled { return }
                    let pause = backoff.next()
                    logger.warning("list failed, retrying", metadata: ["error": "\(error)", "retryIn": "\(pause)"])
                    await sleep(pause)
                    continue
                }
            }
            switch await watchOnce() {
            case .cancelled:
                return
            case .gone(let events):
                logger.info(
                    "watch resourceVersion expired (410 Gone), re-listing",
                    metadata: ["resourceVersion": "\(lastSyncResourceVersion ?? "")"])
                needsList = true
                if events == 0 && goneWithoutProgress { await sleep(backoff.next()) }
                goneWithoutProgress = events == 0
            case .ended(let events) where events > 0:
                backoff.reset()
                goneWithoutProgress = false
            case .ended:
                let pause = backoff.next()
                logger.debug("watch ended without events, re-watching", metadata: ["retryIn": "\(pause)"])
                await sleep(pause)
            case .failed(let error):
                let pause = backoff.next()
                logger.warning("watch failed, re-watching", metadata: ["error": "\(error)", "retryIn": "\(pause)"])
                await sleep(pause)
            }
        }
    }

    /// Lists everything and replaces the cache with it, telling handlers what changed.
    func listAndReplace() async throws(KubeClientError) {
        let list = try await listAll()
        state.withLock { state in
            let isInitial = !state.hasSynced
            let events = state.indexer.replace(with: list.items, isInitialList: isInitial)
            state.lastResourceVersion = list.resourceVersion
            Self.publish(events, to: &state)
            if isInitial {
                state.hasSynced = true
                Self.publishSynced(to: &state)
            }
        }
        synced.set()
        logger.debug("listed", metadata: ["count": "\(list.items.count)", "resourceVersion": "\(list.resourceVersion)"])
    }

    /// Reads every page of the list. When a continue token expires mid-way (410), the list
    /// starts over in one unpaged request rather than failing, as client-go's pager does.
    private func listAll() async throws(KubeClientError) -> ObjectList {
        var items: [JSONValue] = []
        var token: String?
        var resourceVersion: ResourceVersion = ""
        repeat {
            let options = ListOptions(
                labelSelector: labelSelector, fieldSelector: fieldSelector,
                limit: configuration.pageSize, continueToken: token)
            let page: ObjectList
            do {
                page = try await api.list(resource, namespace: namespace, options: options)
            } catch  where error.isGone && token != nil {
                return try await api.list(
                    resource, namespace: namespace,
                    options: ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector))
            }
            items += page.items
            resourceVersion = page.resourceVersion
            token = page.continueToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return ObjectList(items: items, resourceVersion: resourceVersion)
    }

    /// Watches from the last resourceVersion until the stream ends, applying each event.
    func watchOnce() async -> WatchOutcome {
        let options = ListOptions(
            labelSelector: labelSelector, fieldSelector: fieldSelector,
            resourceVersion: lastSyncResourceVersion,
            timeoutSeconds: Int.random(in: configuration.watchTimeoutSeconds),
            allowWatchBookmarks: true)
        let stream: AsyncThrowingStream<WatchEventObject, any Error>
        do {
            stream = try await api.watch(resource, namespace: namespace, options: options)
        } catch {
            if Task.isCancelled { return .cancelled }
            return error.isGone ? .gone(events: 0) : .failed(error)
        }
        var events = 0
        do {
            for try await event in stream {
                if event.type == .error {
                    if event.object["code"]?.intValue == 410 { return .gone(events: events) }
                    return .failed(InformerError.watchErrorEvent(resource: resource, status: event.object))
                }
                apply(event)
                events += 1
            }
        } catch let error as KubeClientError where error.isGone {
            return .gone(events: events)
        } catch {
            return Task.isCancelled ? .cancelled : .failed(error)
        }
        return Task.isCancelled ? .cancelled : .ended(events: events)
    }

    /// Applies one watch event to the cache and queues it for the handlers.
    func apply(_ event: WatchEventObject) {
        state.withLock { state in
            if let resourceVersion = event.object.resourceVersion, !resourceVersion.isEmpty {
                state.lastResourceVersion = ResourceVersion(resourceVersion)
            }
            guard let key = ObjectKey(event.object) else { return }
            switch event.type {
            case .added, .modified:
                let previous = state.indexer.upsert(event.object)
                let change: InformerEvent =
                    previous.map { .updated(old: $0, new: event.object) }
                    ?? .added(event.object, isInInitialList: false)
                Self.publish([change], to: &state)
            case .deleted:
                state.indexer.remove(key)
                Self.publish([.deleted(event.object, finalStateUnknown: false)], to: &state)
            case .bookmark, .error:
                break
            }
        }
    }

    private func sleep(_ duration: Duration) async {
        do {
            try await time.sleep(for: duration)
        } catch {
            // Cancelled: the loop checks for it next.
        }
    }
}
