package resources

// Set is the complete set of definitions. Every list is in a stable order: the order of the specs' tables, with
// what another entry depends on first (dead-letter queues before their sources).
type Set struct {
	Key           KMSKey
	Tables        []Table
	Buckets       []Bucket
	Queues        []Queue
	Topics        []Topic
	Subscriptions []Subscription
	Streams       []Stream
	LogGroups     []LogGroup
	Roles         []Role
	// Functions: root stack, workflow API, data plane API, analytics, operator library, test resources.
	Functions []Function
}

// Definitions returns the definitions. Each call builds a new Set, so callers may change what they get.
func Definitions() *Set {
	return &Set{
		Key:           key(),
		Tables:        tables(),
		Buckets:       buckets(),
		Queues:        queues(),
		Topics:        topics(),
		Subscriptions: subscriptions(),
		Streams:       streams(),
		LogGroups:     logGroups(),
		Roles:         append(append(rootRoles(), apiRoles()...), operatorRoles()...),
		Functions: append(append(append(rootFunctions(), apiFunctions()...), operatorFunctions()...),
			testFunctions()...),
	}
}

// lookup finds the definition with the given ID in a list.
func lookup[T any, P interface {
	*T
	res() *Resource
}](items []T, id string) (T, bool) {
	for i := range items {
		if P(&items[i]).res().ID == id {
			return items[i], true
		}
	}
	var zero T
	return zero, false
}

// Table returns the table with the given ID.
func (s *Set) Table(id string) (Table, bool) { return lookup(s.Tables, id) }

// Bucket returns the bucket with the given ID.
func (s *Set) Bucket(id string) (Bucket, bool) { return lookup(s.Buckets, id) }

// Queue returns the queue with the given ID.
func (s *Set) Queue(id string) (Queue, bool) { return lookup(s.Queues, id) }

// Topic returns the topic with the given ID.
func (s *Set) Topic(id string) (Topic, bool) { return lookup(s.Topics, id) }

// Stream returns the stream with the given ID.
func (s *Set) Stream(id string) (Stream, bool) { return lookup(s.Streams, id) }

// LogGroup returns the log group with the given ID.
func (s *Set) LogGroup(id string) (LogGroup, bool) { return lookup(s.LogGroups, id) }

// Role returns the role with the given ID.
func (s *Set) Role(id string) (Role, bool) { return lookup(s.Roles, id) }

// Function returns the function with the given ID.
func (s *Set) Function(id string) (Function, bool) { return lookup(s.Functions, id) }

// entry is a resource of any kind.
type entry struct {
	r    *Resource
	kind kind
}

// index maps every ID to its resource.
func (s *Set) index() map[string]entry {
	m := map[string]entry{}
	add := func(k kind, r *Resource) { m[r.ID] = entry{r: r, kind: k} }
	add(kindKey, &s.Key.Resource)
	for i := range s.Tables {
		add(kindTable, &s.Tables[i].Resource)
	}
	for i := range s.Buckets {
		add(kindBucket, &s.Buckets[i].Resource)
	}
	for i := range s.Queues {
		add(kindQueue, &s.Queues[i].Resource)
	}
	for i := range s.Topics {
		add(kindTopic, &s.Topics[i].Resource)
	}
	for i := range s.Subscriptions {
		add(kindSubscription, &s.Subscriptions[i].Resource)
	}
	for i := range s.Streams {
		add(kindStream, &s.Streams[i].Resource)
	}
	for i := range s.LogGroups {
		add(kindLogGroup, &s.LogGroups[i].Resource)
	}
	for i := range s.Roles {
		add(kindRole, &s.Roles[i].Resource)
	}
	for i := range s.Functions {
		add(kindFunction, &s.Functions[i].Resource)
	}
	return m
}

// kind is the type of a resource, which decides its ARN format.
type kind int

const (
	kindKey kind = iota + 1
	kindTable
	kindBucket
	kindQueue
	kindTopic
	kindSubscription
	kindStream
	kindLogGroup
	kindRole
	kindFunction
)
