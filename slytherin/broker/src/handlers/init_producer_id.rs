//! InitProducerId for idempotent producers (no transactions yet).

use kafka_protocol::messages::{InitProducerIdRequest, InitProducerIdResponse, ProducerId};
use kafka_protocol::ResponseError;

use crate::server::Broker;

/// InitProducerId: a new producer ID, or the next epoch of the one the
/// producer already has (version 3 and later).
pub(crate) fn handle(broker: &Broker, request: &InitProducerIdRequest) -> InitProducerIdResponse {
    let answer = InitProducerIdResponse::default();
    if request
        .transactional_id
        .as_ref()
        .is_some_and(|id| !id.is_empty())
    {
        // Transactions need a transaction coordinator this broker lacks.
        return answer.with_error_code(ResponseError::TransactionalIdAuthorizationFailed.code());
    }
    let (id, epoch) = broker.with_producers(|producers| {
        if request.producer_id.0 >= 0 {
            producers.bump_epoch(request.producer_id.0, request.producer_epoch)
        } else {
            producers.new_producer()
        }
    });
    answer
        .with_producer_id(ProducerId(id))
        .with_producer_epoch(epoch)
}
