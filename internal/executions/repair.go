package executions

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// RepairSlots makes the slot store agree with the executions' statuses, for the reconciler (MIE#272): started
// lists the executions it saw Started and left running. Every holder of an execution not in started is dropped
// unless the execution is Started after all; every execution of started that holds no slot gets one while it is
// Started, without the limit's condition, since it runs already (one started before slots existed, for
// instance). Each change is one transaction that checks the execution's status, so a stale list cannot undo a
// take or a release that happens meanwhile.
func (s *Store) RepairSlots(ctx context.Context, started []string) error {
	holders, err := s.holders(ctx)
	if err != nil {
		return err
	}
	for _, id := range holders {
		if slices.Contains(started, id) {
			continue
		}
		if err := s.repair(ctx, id, s.dropHolder(id), s.decrement(), s.checkStatus(id, "attribute_not_exists(Id) OR "+statusName+" <> :started")); err != nil {
			return err
		}
	}
	for _, id := range started {
		if slices.Contains(holders, id) {
			continue
		}
		if err := s.repair(ctx, id, s.addHolder(id), s.count(), s.checkStatus(id, statusName+" = :started")); err != nil {
			return err
		}
	}
	return nil
}

// holders lists the executions that hold a slot.
func (s *Store) holders(ctx context.Context) ([]string, error) {
	var ids []string
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{
		TableName:            aws.String(s.cfg.SlotTable),
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String("Id"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the slot holders: %w", err)
		}
		for _, item := range page.Items {
			if id := stringAttr(item, "Id"); id != counterKey {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// repair runs one repair transaction. A cancelled one means that the holder or the execution is not as the
// repair assumed any more, and the repair is not needed; a conflicting one is tried again.
func (s *Store) repair(ctx context.Context, id string, items ...types.TransactWriteItem) error {
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		codes, err := s.transact(ctx, items)
		if err != nil {
			return fmt.Errorf("repair the slot of execution %s: %w", id, err)
		}
		if !anyCode(codes, "TransactionConflict") {
			return nil
		}
		if err := s.pause(ctx, attempt); err != nil {
			return err
		}
	}
	return fmt.Errorf("repair the slot of execution %s: conflicting writes during %d attempts", id, maxAttempts)
}

// count counts one more slot, whatever the limit.
func (s *Store) count() types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:        aws.String(s.cfg.SlotTable),
		Key:              executionKey(counterKey),
		UpdateExpression: aws.String("SET Held = if_not_exists(Held, :zero) + :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero": num(0),
			":one":  num(1),
		},
	}}
}

// checkStatus checks a condition on the execution's status, with :started bound to Started.
func (s *Store) checkStatus(id, condition string) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                 aws.String(s.cfg.ExecutionTable),
		Key:                       executionKey(id),
		ConditionExpression:       aws.String(condition),
		ExpressionAttributeNames:  map[string]string{statusName: "Status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":started": str(string(Started))},
	}}
}
